import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseProxy } from 'comlink';
import type { JobProgress } from '../../src/engine/engine-api.ts';
import type { AnalysisSession, PluginRun, RunControl } from '../../src/engine/session-api.ts';
import { MemscopeError } from '../../src/errors.ts';
import type { CountedWarning, PluginRow } from '../../src/plugins/plugin.ts';
import { JobRunner } from '../../src/worker/job-runner.ts';

const WARNING: CountedWarning = { code: 'SMEAR', message: 'process list loops back', address: '0xffff8000', count: 1 };

/** A session whose one plugin warns, yields a row, then does what `end` says. */
function session(end: (control: RunControl) => Promise<void>): AnalysisSession {
  return {
    summary: {} as AnalysisSession['summary'],
    plugins: () => [],
    close: async () => undefined,
    run(_plugin, _options, control): PluginRun {
      const warnings: CountedWarning[] = [];
      return {
        warnings,
        async *[Symbol.asyncIterator](): AsyncGenerator<PluginRow> {
          warnings.push(WARNING);
          yield { depth: 0, values: [4] };
          await end(control);
        },
      };
    },
  };
}

async function run(runner: JobRunner, s: AnalysisSession, rows: PluginRow[][] = []) {
  return runner.run(
    s,
    'job',
    'test.plugin',
    {},
    (batch) => rows.push(batch),
    () => undefined,
  );
}

describe('worker job runs', () => {
  it('a run that succeeds reports its rows and warnings', async () => {
    const rows: PluginRow[][] = [];
    const outcome = await run(
      new JobRunner(),
      session(async () => undefined),
      rows,
    );
    assert.ok(outcome.ok);
    assert.equal(outcome.value.rowCount, 1);
    assert.deepEqual(outcome.value.warnings, [WARNING]);
    assert.deepEqual(rows.flat(), [{ depth: 0, values: [4] }]);
  });

  it('a run that fails keeps the warnings it raised before, beside its error', async () => {
    const outcome = await run(
      new JobRunner(),
      session(async () => {
        throw new MemscopeError('CORRUPT', 'the process list is not readable');
      }),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'CORRUPT');
    assert.deepEqual(outcome.error.warnings, [WARNING]);
  });

  it('a cancelled run keeps its warnings too', async () => {
    const runner = new JobRunner();
    const pending = run(
      runner,
      session(async ({ signal }) => {
        runner.cancel('job');
        signal?.throwIfAborted();
      }),
    );
    const outcome = await pending;
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'CANCELLED');
    assert.deepEqual(outcome.error.warnings, [WARNING]);
  });

  it('a row the plugin yields as the job is cancelled is kept', async () => {
    const runner = new JobRunner();
    const rows: PluginRow[][] = [];
    const s: AnalysisSession = {
      ...session(async () => undefined),
      run: (): PluginRun => ({
        warnings: [],
        async *[Symbol.asyncIterator]() {
          runner.cancel('job');
          yield { depth: 0, values: [8] };
        },
      }),
    };
    const outcome = await run(runner, s, rows);
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'CANCELLED');
    assert.deepEqual(rows.flat(), [{ depth: 0, values: [8] }]);
  });

  it('progress reported after the run has ended (work the plugin left going) never reaches the released callbacks', async () => {
    const runner = new JobRunner();
    let late: RunControl['onProgress'];
    const progress: number[] = [];
    const outcome = await runner.run(
      session(async (control) => {
        late = control.onProgress;
        late?.(1, 4, 'scanning');
        runner.cancel('job');
        control.signal?.throwIfAborted();
      }),
      'job',
      'test.plugin',
      {},
      releasable(() => undefined),
      releasable((p: JobProgress) => progress.push(p.done)),
    );
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'CANCELLED');
    late!(2, 4, 'scanning');
    late!(3, 4, 'scanning');
    // Past the progress throttle: a late value held back would be sent by now.
    await sleep(150);
    assert.deepEqual(progress, [1]);
  });
});

/** A callback as comlink hands it to the worker: released when the job ends, calling it afterwards throws. */
function releasable<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
  let released = false;
  return Object.assign(
    (...args: A) => {
      if (released) throw new Error('Proxy has been released and is not useable');
      callback(...args);
    },
    { [releaseProxy]: () => (released = true) },
  );
}
