// The real Linux capture as a VMware pair (test/helpers/vmware-linux.ts: the RAM, then the BIOS ROM above the hole,
// back to back in the .vmem): the same processes as the guest listed, the raw export of the ELF core, and the CLI
// finding the state file beside the .vmem or where --vmss says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { NodeCompanions } from '../../src/node/node-companions.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { hashRange } from '../helpers/file-range-hash.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { rowsByColumn } from '../helpers/linux-session.ts';
import { writeLinuxVmwarePair, type LinuxVmwarePair } from '../helpers/vmware-linux.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function memscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('linux-6.1-a as a VMware .vmem + .vmss', { skip: linuxFixtureSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vmware-linux-'));
  let pair: LinuxVmwarePair;
  let session: Session;

  before(async () => {
    pair = await writeLinuxVmwarePair(dir);
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    session = await openSession(await NodeFileSource.open(pair.vmem), env, new NodeCompanions(pair.vmem));
  });
  after(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the RAM and the ROM at their physical addresses, with no warning', () => {
    const ram = linuxTruth().files['linux-a.raw']!.size;
    assert.equal(session.summary.format, 'vmware');
    assert.deepEqual(session.physical.runs, [
      { start: 0, length: ram, fileOffset: 0 },
      { start: pair.rom.address, length: pair.rom.length, fileOffset: ram },
    ]);
    assert.deepEqual(session.summary.warnings, []);
  });

  it('linux.pslist lists the processes alive in the guest (truth.json)', async () => {
    const rows = await rowsByColumn(session, 'linux.pslist');
    const got = rows.map((r) => [r['PID'], r['PPID'], r['COMM']] as Cell[]).sort((a, b) => Number(a[0]) - Number(b[0]));
    const truth = linuxTruth()['processes'] as { pid: number; ppid: number; comm: string }[];
    const want = truth.map((p) => [p.pid, p.ppid, p.comm]).sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.deepEqual(got, want);
  });

  it('image.export writes the raw capture (its SHA-256 in truth.json) and the ROM where the ELF core has it', async () => {
    const elf = await linuxFixtureFile('linux-a.elf');
    const out = join(dir, 'export.raw');
    const r = memscope('-f', pair.vmem, 'image.export', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    const raw = linuxTruth().files['linux-a.raw']!;
    assert.equal(statSync(out).size, pair.rom.address + pair.rom.length);
    assert.equal(hashRange(out, 'sha256', [{ offset: 0, length: raw.size }]), raw.sha256);
    assert.equal(
      hashRange(out, 'sha256', [{ offset: pair.rom.address, length: pair.rom.length }]),
      hashRange(elf, 'sha256', [{ offset: pair.rom.elfOffset, length: pair.rom.length }]),
    );
    rmSync(out);
  });

  it('the CLI finds X.vmss beside -f X.vmem, opens the pair from -f X.vmss, and honours --vmss', () => {
    const format = (stdout: string) => /^Format\s+(\S+)/m.exec(stdout)?.[1];
    const beside = memscope('-f', pair.vmem, 'image.info');
    assert.equal(beside.code, 0, beside.stderr);
    assert.equal(format(beside.stdout), 'vmware');
    assert.match(beside.stdout, /State file\s+linux-a\.vmss/);
    assert.match(beside.stdout, /Range 2\s+0xfffc0000-0xffffffff/);
    const fromState = memscope('-f', pair.vmss, 'image.info');
    assert.equal(fromState.code, 0, fromState.stderr);
    assert.match(fromState.stdout, /Memory file\s+linux-a\.vmem/);

    const elsewhere = join(dir, 'state');
    mkdirSync(elsewhere);
    const moved = join(elsewhere, 'snapshot-1.vmsn');
    renameSync(pair.vmss, moved);
    try {
      const alone = memscope('-f', pair.vmem, 'image.info');
      assert.equal(format(alone.stdout), 'raw');
      assert.match(alone.stderr, /warning: no \.vmss or \.vmsn .* misplaced/);
      const named = memscope('-f', pair.vmem, '--vmss', moved, 'image.info');
      assert.equal(named.code, 0, named.stderr);
      assert.equal(format(named.stdout), 'vmware');
      assert.match(named.stdout, /State file\s+snapshot-1\.vmsn/);
      assert.doesNotMatch(named.stderr, /warning/);
      const wrong = memscope('-f', pair.vmem, '--vmss', pair.vmem, 'image.info');
      assert.equal(wrong.code, 2, wrong.stderr);
      assert.match(wrong.stderr, /--vmss: .* is not a VMware state file/);
    } finally {
      renameSync(moved, pair.vmss);
    }
  });
});
