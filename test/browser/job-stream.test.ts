import type { JobProgress } from '../../src/engine/engine-api.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { JobStream } from '../../src/worker/job-stream.ts';
import { deepEqual, equal } from './assert.ts';

const row = (n: number): PluginRow => ({ depth: 0, values: [n] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('JobStream', () => {
  it('sends full batches at once, a partial batch after the wait, the rest on close', async () => {
    const sent: number[][] = [];
    const stream = new JobStream(
      (rows) => void sent.push(rows.map((r) => r.values[0] as number)),
      () => {},
      {
        batchRows: 3,
        batchMs: 30,
        progressMs: 1000,
      },
    );
    for (let i = 1; i <= 4; i++) await stream.add(row(i));
    deepEqual(sent, [[1, 2, 3]]);
    await sleep(60);
    deepEqual(sent, [[1, 2, 3], [4]], 'row 4 sent by the timer');
    await stream.add(row(5));
    await stream.close();
    deepEqual(sent, [[1, 2, 3], [4], [5]]);
    equal(stream.count, 5);
  });

  it('throttles progress but always delivers the last value', async () => {
    const sent: JobProgress[] = [];
    const stream = new JobStream(
      () => {},
      (p) => void sent.push(p),
      { batchRows: 10, batchMs: 10, progressMs: 40 },
    );
    for (let done = 1; done <= 5; done++) stream.progress(done, 5, 'Scanning');
    deepEqual(sent, [{ done: 1, total: 5, stage: 'Scanning' }], 'first value at once, the rest held back');
    await sleep(70);
    deepEqual(
      sent.map((p) => p.done),
      [1, 5],
    );
    stream.progress(6, 6, 'Done');
    await stream.close();
    equal(sent[sent.length - 1]!.done, 6);
  });
});
