import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { Isf } from '../fixtures/windows/isf.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const OPTIONS = { size: 16 * 1024 * 1024, seed: 11 };
const badRequest = (e: unknown) => isMemscopeError(e) && e.code === 'BAD_REQUEST';

describe('Session.readMemory', () => {
  it('reads physical memory as the raw image holds it, and what lies past its end as unmapped zeros', async () => {
    const { image } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const inside = await session.readMemory('physical', '0x1234', 5000);
    assert.equal(inside.address, '0x1234');
    assert.deepEqual(inside.bytes, image.subarray(0x1234, 0x1234 + 5000));
    assert.deepEqual(inside.unmapped, []);

    // The last 16 bytes of the image, then a page beyond it.
    const end = image.length - 16;
    const across = await session.readMemory('physical', String(end), 16 + 4096);
    assert.deepEqual(across.bytes.subarray(0, 16), image.subarray(end));
    assert.deepEqual(across.unmapped, [16]);
    assert.ok(across.bytes.subarray(16).every((b) => b === 0));
  });

  it('reads the kernel address space: each _EPROCESS where its physical copy lies', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    assert.ok(expected.processes.length > 2);
    for (const p of expected.processes) {
      const read = await session.readMemory('kernel', p.eprocessVirtual, 1024);
      const physical = Number(p.eprocessPhysical);
      assert.equal(read.address, p.eprocessVirtual);
      // 1 KiB from the body may cross into the next page, which need not follow physically: compare up to it.
      const inPage = 4096 - (physical % 4096);
      const compared = Math.min(1024, inPage);
      assert.deepEqual(read.bytes.subarray(0, compared), image.subarray(physical, physical + compared), `${p.name} (PID ${p.pid})`);
      assert.deepEqual(read.unmapped, [], `${p.name} (PID ${p.pid})`);
    }
  });

  it('lists non-canonical (never mapped) kernel pages as unmapped and reads them as zeros', async () => {
    const { image } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const read = await session.readMemory('kernel', '0x800000000ff0', 4096 + 32);
    assert.deepEqual(read.unmapped, [0, 16, 4112]);
    assert.ok(read.bytes.every((b) => b === 0));
  });

  it("reads a process's own address space: its PEB where the generator put it, the command line it was given", async () => {
    const { image, expected, symbols } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    const parametersAt = new Isf(symbols).offsetOf('_PEB', 'ProcessParameters');
    const withPeb = expected.processes.filter((p) => p.linked && p.commandLine !== null);
    assert.ok(withPeb.length > 2);
    for (const p of withPeb) {
      const space = { kind: 'process', pid: p.pid } as const;
      const peb = expected.translations.find((t) => t.dtb === p.dtb && t.what === 'PEB')!;
      const read = await session.readMemory(space, peb.virtual, 4096);
      assert.deepEqual(read.bytes, image.subarray(Number(peb.physical), Number(peb.physical) + 4096), `PEB of ${p.name} (PID ${p.pid})`);
      assert.deepEqual(read.unmapped, []);
      assert.deepEqual((await session.readMemory('kernel', peb.virtual, 4096)).unmapped, [0], 'user space is not in the kernel address space');
      // The command line (UTF-16) is inside the parameters block, at most two pages from its start.
      const parameters = new DataView(read.bytes.buffer).getBigUint64(parametersAt, true);
      const block = await session.readMemory(space, `0x${parameters.toString(16)}`, 8192);
      assert.ok(Buffer.from(block.bytes).toString('utf16le').includes(p.commandLine!), `command line of ${p.name} (PID ${p.pid})`);
    }
  });

  it('refuses reads over 64 KiB, empty reads and addresses that are not numbers', async () => {
    const { image } = await windowsImage(OPTIONS);
    const session = await openWindowsSession(image);
    await assert.rejects(session.readMemory('physical', '0', 64 * 1024 + 1), badRequest);
    await assert.rejects(session.readMemory('physical', '0', 0), badRequest);
    await assert.rejects(session.readMemory('physical', '<img src=x>', 16), badRequest);
    await assert.rejects(session.readMemory('kernel', '0x10000000000000000', 16), badRequest);
    // PIDs are multiples of 4: no process has 3.
    await assert.rejects(
      session.readMemory({ kind: 'process', pid: 3 }, '0x1000', 16),
      (e) => badRequest(e) && /no process with PID 3\b/.test(String(e)),
    );
    assert.equal((await session.readMemory('physical', '0', 64 * 1024)).bytes.length, 64 * 1024);
  });
});
