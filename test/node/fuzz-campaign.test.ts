// The CI fuzz campaign: a few seeded mutated runs of a cheap plugin on every fuzzer input (test/fuzz), each run in its
// own process with time and memory limits. No run may hang, crash or repeat rows; clean errors and rows are fine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCampaign } from '../fuzz/campaign.ts';
import { FORMATS, type FuzzFormat } from '../fuzz/inputs.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { needTestData } from '../helpers/need-test-data.ts';

/** The fixed campaign: this seed, this many mutated runs per input. */
const SEED = 20;
const RUNS = 3;

/**
 * What each format's inputs need of the test data (the Windows ones are generated). "raw" is the Linux capture and
 * the Windows image: without the capture the campaign fuzzes the Windows one alone (the missing data is still said).
 */
const linuxMissing = linuxFixtureSkipReason();
const skipFor: Record<FuzzFormat, () => string | false> = {
  raw: () => false,
  elf: linuxFixtureSkipReason,
  lime: linuxFixtureSkipReason,
  kdump: linuxFixtureSkipReason,
  crashdump: () => false,
  aff4: () => needTestData('fixtures/aff4/Base-Linear.aff4'),
};

describe(`fuzz campaign: seed ${SEED}, ${RUNS} mutated runs per input, a cheap plugin each`, () => {
  const findings = mkdtempSync(join(tmpdir(), 'memscope-fuzz-'));
  after(() => rmSync(findings, { recursive: true, force: true }));

  for (const format of FORMATS) {
    it(`${format}: no hang, crash or repeated rows`, { skip: skipFor[format](), timeout: 300_000 }, async () => {
      const log: string[] = [];
      const { tallies } = await runCampaign({
        formats: [format],
        plugins: undefined,
        seed: SEED,
        seconds: Infinity,
        maxRuns: RUNS,
        findingsDir: findings,
        minimise: false,
        log: (line) => log.push(line),
      });
      assert.equal(tallies.length, format === 'raw' && !linuxMissing ? 2 : 1, `inputs of format ${format} fuzzed`);
      for (const t of tallies) {
        assert.equal(t.runs, RUNS, t.label);
        assert.deepEqual(
          { hang: t.counts.hang, crash: t.counts.crash, 'duplicate-rows': t.counts['duplicate-rows'] },
          { hang: 0, crash: 0, 'duplicate-rows': 0 },
          `${t.label}\n${log.join('\n')}`,
        );
      }
    });
  }
});
