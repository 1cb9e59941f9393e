// Inputs the fuzzer found (test/fuzz/regressions: minimised patch lists over the fuzzer's inputs), replayed: each once
// crashed, hung or repeated rows, and must now give rows or one clean error line.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseElfNotes } from '../../src/formats/elf-notes.ts';
import { jobFor } from '../fuzz/campaign.ts';
import { loadFinding, type Finding } from '../fuzz/findings.ts';
import { inputLabelled } from '../fuzz/inputs.ts';
import { runInChild, timeLimitMs } from '../fuzz/runner.ts';
import { judge } from '../fuzz/verdict.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { needTestData } from '../helpers/need-test-data.ts';

const DIR = fileURLToPath(new URL('../fuzz/regressions/', import.meta.url));

/** What a finding's input needs of the test data: the Linux capture, the AFF4 image, or nothing (generated Windows). */
function skipFor(finding: Finding): string | false {
  if (finding.input.includes('linux-a.')) return linuxFixtureSkipReason();
  if (finding.format === 'aff4') return needTestData('fixtures/aff4/Base-Linear.aff4');
  return false;
}

describe('fuzz findings, replayed', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const finding = loadFinding(join(DIR, name));
    it(`${name}: ${finding.plugin} on ${finding.input} (was ${finding.verdict.kind})`, { skip: skipFor(finding) }, async () => {
      const input = await inputLabelled(finding.format, finding.input);
      assert.ok(input, `no input ${finding.input}`);
      const record = await runInChild(jobFor(input, finding.plugin, finding.patches), timeLimitMs(input.size));
      const verdict = judge(record.end, 0);
      assert.ok(verdict.kind === 'rows' || verdict.kind === 'clean-error', `${verdict.kind}: ${verdict.detail}`);
    });
  }

  it('an ELF note whose name or desc size is 2^31 or more ends the notes with a warning (elf-linux.*-crash-s7-r74/r80)', () => {
    for (const size of [0x80000000, 0xfffffffd, 0xffffffff]) {
      const segment = new Uint8Array(64);
      const view = new DataView(segment.buffer);
      view.setUint32(0, 4, true);
      view.setUint32(4, size, true);
      segment.set([0x41, 0x42, 0x43, 0], 12);
      const { notes, warnings } = parseElfNotes(segment);
      assert.deepEqual(notes, []);
      assert.equal(warnings.length, 1);
      view.setUint32(0, size, true);
      view.setUint32(4, 0, true);
      assert.equal(parseElfNotes(segment).warnings.length, 1);
    }
  });
});
