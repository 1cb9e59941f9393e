// Inputs the fuzzer found (test/fuzz/regressions: minimised patch lists over the fuzzer's inputs), replayed: each once
// crashed, hung or repeated rows, and must now give rows or one clean error line.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseElfNotes } from '../../src/formats/elf-notes.ts';
import { jobFor } from '../fuzz/campaign.ts';
import { loadFinding, type Finding } from '../fuzz/findings.ts';
import { inputLabelled } from '../fuzz/inputs.ts';
import { runInChild, timeLimitMs } from '../fuzz/runner.ts';
import { judge } from '../fuzz/verdict.ts';
import { writeMutatedCopy } from '../fuzz/mutated-copy.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collectRun } from '../helpers/linux-session.ts';
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

  it(
    'a kdump page whose zlib data is damaged (seed 7, run 0) reads as zeros: the image opens, linux.pslist lists the tasks before it, with warnings',
    { skip: linuxFixtureSkipReason() },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'memscope-kdump-damaged-'));
      try {
        const copy = await writeMutatedCopy('kdump', 'linux-a', 7, 0, dir);
        assert.ok('path' in copy, 'the mutated copy');
        const session = await openSession(await NodeFileSource.open(copy.path), await createNodeEnv({ symbolDirs: [], cache: false }));
        try {
          const { rows, warnings } = await collectRun(session, 'linux.pslist');
          const damaged = warnings.find((w) => w.code === 'UNREADABLE' && /1 page could not be decoded and read as zeros/.test(w.message));
          assert.ok(damaged, JSON.stringify(warnings));
          const page = Number(/page at physical (0x[0-9a-f]+): its zlib data is damaged/.exec(damaged.message)?.[1]);
          // The list runs into the damaged page: the tasks before it as the guest listed them, then the zeros the page reads as.
          const listed = rows.slice(0, -1).map((r) => r.values[1]);
          assert.deepEqual(listed, (linuxTruth().processes as { pid: number }[]).map((p) => p.pid).slice(0, listed.length));
          assert.ok(listed.length > 5, `${listed.length} tasks before the damage`);
          const last = rows.at(-1)!.values;
          const directMap = BigInt(
            (linuxTruth() as unknown as { kernel: { derived_from_raw: Record<string, string> } }).kernel.derived_from_raw['page_offset_base']!,
          );
          assert.equal(Number(((last[0] as bigint) - directMap) & ~0xfffn), page, 'the last entry lies in the damaged page');
          assert.equal(last[1], 0, 'and reads as zeros');
          assert.ok(
            warnings.some((w) => w.code === 'SMEAR'),
            'the walk stops at its NULL link',
          );
          assert.ok(session.summary.warnings.includes(damaged.message), 'the summary says so too');
        } finally {
          await session.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

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
