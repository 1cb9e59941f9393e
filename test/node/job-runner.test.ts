import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
});
