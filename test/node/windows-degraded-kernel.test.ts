/**
 * Windows when the kernel's debug directory or CodeView (RSDS) record is smeared (issue 20, "no single point of
 * failure"): the kernel is still found, its symbol table is chosen among the reachable kernel ISFs by matching
 * their layouts against memory, and the image says once what is degraded; a wrong build's ISF does not match.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { DEBUG_DIRECTORY_RVA, rsdsRecord, RSDS_RVA } from '../fixtures/windows/kernel-image.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { SHARED_SYMBOLS, WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { processRow } from '../helpers/windows-process-rows.ts';
import { collectRun, hexBig, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const DEBUG_ENTRY_SIZE = 28;
const [right, ...wrong] = WINDOWS_KERNELS;
const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: right!.isfPath });
const layoutWarnings = (warnings: readonly string[]) => warnings.filter((w) => w.includes('layout match'));

/** Where the kernel's RSDS record lies in the raw image: the one place its bytes (from the generator's PDB identity) occur. */
async function rsdsOffset(): Promise<number> {
  const { image: bytes, expected } = await image();
  const { name, guid, age } = expected.kernel.pdb;
  const record = rsdsRecord(guid, age, name);
  const found = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(record);
  assert.ok(found >= 0, 'the kernel RSDS record is in the image');
  assert.equal(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(record, found + 1), -1, 'and only once');
  return found;
}

/** A copy of the image with `length` bytes at `offset` overwritten. */
async function smeared(offset: number, length: number): Promise<Uint8Array> {
  const copy = (await image()).image.slice();
  copy.fill(0xcc, offset, offset + length);
  return copy;
}

/** The image with the RSDS record smeared. */
const smearedRsds = async () => smeared(await rsdsOffset(), 24);
/** The image with its debug directory smeared (it lies RSDS_RVA - DEBUG_DIRECTORY_RVA before the record, in one large page). */
const smearedDebugDirectory = async () => smeared((await rsdsOffset()) - (RSDS_RVA - DEBUG_DIRECTORY_RVA), DEBUG_ENTRY_SIZE);

async function expectedKey(): Promise<string> {
  const { name, guid, age } = (await image()).expected.kernel.pdb;
  return `${name}/${guid}-${age}`;
}

async function expectedPslist(): Promise<unknown[][]> {
  const { expected } = await image();
  return expected.processes.filter((p) => p.linked).map((p) => processRow(p, hexBig(p.eprocessVirtual)));
}

/** A symbol directory holding only the other builds' kernel ISFs. */
function wrongBuildsOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-wrong-kernels-'));
  mkdirSync(join(dir, 'windows', 'ntkrnlmp.pdb'), { recursive: true });
  for (const k of wrong) symlinkSync(k.isfPath, join(dir, 'windows', 'ntkrnlmp.pdb', `${k.guid}-${k.age}.json.xz`));
  return dir;
}

describe('Windows kernel with a smeared debug directory', () => {
  it('the intact image names its PDB and says nothing of a layout match', async () => {
    const session = await openWindowsSession((await image()).image, { symbolDirs: [REPO_SYMBOLS] });
    assert.equal(session.summary.symbolKey, await expectedKey());
    assert.deepEqual(layoutWarnings(session.summary.warnings), []);
  });

  it('RSDS smeared: the kernel is found, its ISF matched by layout, pslist exact, one warning', async () => {
    const { expected } = await image();
    const session = await openWindowsSession(await smearedRsds(), { symbolDirs: [REPO_SYMBOLS] });
    const s = session.summary;
    assert.equal(s.os, 'windows');
    assert.equal(BigInt(s.kernelBase!), hexBig(expected.kernel.base));
    assert.equal(s.symbolKey, await expectedKey());
    const degraded = layoutWarnings(s.warnings);
    assert.equal(degraded.length, 1, String(s.warnings));
    assert.ok(degraded[0]!.includes(await expectedKey()), degraded[0]);
    assert.match(degraded[0]!, /debug directory/);
    const { rows, warnings } = await collectRun(session, 'windows.pslist');
    assert.deepEqual(
      rows.map((r) => r.values),
      await expectedPslist(),
    );
    assert.deepEqual(warnings, []);
    const info = await collectRun(session, 'windows.info');
    const { guid, age } = expected.kernel.pdb;
    assert.ok(String(info.rows.find((r) => r.values[0] === 'Symbols')?.values[1]).includes(`${guid}-${age}`));
  });

  it(
    'debug directory smeared: among every build’s kernel ISF, the right one is picked',
    { skip: wrong.find((k) => k.skip)?.skip ?? false },
    async () => {
      const session = await openWindowsSession(await smearedDebugDirectory(), { symbolDirs: [SHARED_SYMBOLS] });
      assert.equal(session.summary.symbolKey, await expectedKey());
      assert.equal(layoutWarnings(session.summary.warnings).length, 1, String(session.summary.warnings));
      const { rows } = await collectRun(session, 'windows.pslist');
      assert.deepEqual(
        rows.map((r) => r.values),
        await expectedPslist(),
      );
    },
  );

  it('only other builds’ ISFs: a clear error naming what was tried', { skip: wrong.find((k) => k.skip)?.skip ?? false }, async () => {
    const session = await openWindowsSession(await smearedRsds(), { symbolDirs: [wrongBuildsOnly()] });
    assert.equal(session.summary.os, 'windows');
    assert.equal(session.summary.symbolKey, undefined);
    const run = collectRun(session, 'windows.pslist');
    await assert.rejects(run, (e: unknown) => {
      assert.ok(isMemscopeError(e) && e.code === 'SYMBOLS_MISSING', String(e));
      assert.doesNotMatch(e.message, /\n/);
      assert.match(e.message, /debug directory is unreadable/);
      for (const k of wrong) assert.ok(e.message.includes(`ntkrnlmp.pdb/${k.guid}-${k.age}`), e.message);
      return true;
    });
    // A later run (the page retries when symbols are added) says the same, without trying the misfits again.
    await assert.rejects(collectRun(session, 'windows.pslist'), /none of the kernel symbol tables tried fits memory/);
  });
});
