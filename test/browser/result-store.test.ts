import { IdbResultStore, type KeptRun } from '../../src/browser/idb-result-store.ts';
import { deepEqual } from './assert.ts';

const run = (id: string, finished: string): KeptRun => ({
  id,
  plugin: 'windows.pslist',
  options: { pid: [4] },
  columns: [{ name: 'Offset(V)', type: 'hex' }],
  rows: [{ depth: 0, values: [0xffffad8b2f0a5080n] }],
  warnings: [{ code: 'SMEAR', message: 'a smeared link', count: 2 }],
  status: 'done',
  elapsedMs: 12,
  started: finished,
  finished,
});

describe('IdbResultStore', () => {
  it('keeps runs per image in IndexedDB, BigInt values and all, oldest first; forgets one; other images are apart', async () => {
    const store = new IdbResultStore(`memscope-results-test-${Date.now()}`);
    await store.keep('image-a', run('job-2', '2026-12-07T10:00:02.000Z'));
    await store.keep('image-a', run('job-1', '2026-12-07T10:00:01.000Z'));
    await store.keep('image-b', run('job-1', '2026-12-07T10:00:03.000Z'));
    const kept = await store.runs('image-a');
    deepEqual(
      kept.map((r) => r.id),
      ['job-1', 'job-2'],
    );
    deepEqual(kept[0], run('job-1', '2026-12-07T10:00:01.000Z'));
    await store.forget('image-a', 'job-1');
    deepEqual(
      (await store.runs('image-a')).map((r) => r.id),
      ['job-2'],
    );
    deepEqual(
      (await store.runs('image-b')).map((r) => r.id),
      ['job-1'],
    );
  });
});
