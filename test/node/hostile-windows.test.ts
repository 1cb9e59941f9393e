import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { Rng } from '../fixtures/windows/rng.ts';
import { collect, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const OPTIONS = { size: 16 * 1024 * 1024, seed: 31 };
const PLUGINS = [
  'image.info',
  'windows.info',
  'windows.pslist',
  'windows.pstree',
  'windows.psscan',
  'windows.cmdline',
  'windows.dlllist',
  'windows.ldrmodules',
  'windows.envars',
  'windows.sessions',
  'windows.getsids',
  'windows.privileges',
  'windows.handles',
  'windows.vadinfo',
  'windows.malfind',
  'windows.threads',
  'windows.thrdscan',
  'windows.psxview',
  'windows.bigpools',
  'windows.netscan',
  'windows.netstat',
  'windows.svcscan',
  'windows.dnscache',
  'windows.arp',
  'windows.filescan',
  'windows.mutantscan',
  'windows.symlinkscan',
  'windows.mounts',
  'windows.modules',
  'windows.modscan',
  'windows.driverscan',
  'windows.unloadedmodules',
  'windows.registry.hivelist',
  'windows.registry.hivescan',
  'windows.registry.printkey',
  'windows.registry.userassist',
];

/**
 * Every plugin either finishes or fails with a typed error; anything else (TypeError, RangeError, a hang)
 * fails the test. Returns how many plugin runs produced rows, so a test can show the corruption left
 * something to analyse rather than making every run fail early.
 */
async function survives(image: Uint8Array, what: string, symbolDirs?: string[]): Promise<number> {
  let session;
  try {
    session = await openWindowsSession(image, symbolDirs ? { symbolDirs } : {});
  } catch (e) {
    assert.ok(isMemscopeError(e), `${what}: open threw ${String(e)}`);
    return 0;
  }
  let productive = 0;
  for (const plugin of PLUGINS) {
    try {
      if ((await collect(session, plugin)).length > 0) productive++;
    } catch (e) {
      assert.ok(isMemscopeError(e), `${what}: ${plugin} threw ${(e as Error)?.stack ?? String(e)}`);
    }
  }
  return productive;
}

// The timeout catches a hang, not slowness: every Windows plugin runs on every corrupted image (about two minutes here, two test files at a time).
describe('hostile Windows images: corrupt structures give rows, warnings or typed errors — never a crash or hang', { timeout: 600_000 }, () => {
  it('random 8-byte smears over every process and pool header', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    let productive = 0;
    for (let round = 0; round < 12; round++) {
      const rng = new Rng(1000 + round);
      const smeared = image.slice();
      const dv = new DataView(smeared.buffer);
      for (const p of expected.processes) {
        for (let k = 0; k < 6; k++) {
          const at = Number(p.poolHeaderPhysical) + rng.int(0, 0xa00);
          dv.setBigUint64(at - (at % 8), rng.bigint(0n, 0xffffffffffffffffn), true);
        }
      }
      productive += await survives(smeared, `smear round ${round}`);
    }
    assert.ok(productive >= 12, `smeared images still yield rows (${productive} productive runs)`);
  });

  it('no symbol file: random smears over every process while its offsets are being found', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    const noSymbols = mkdtempSync(join(tmpdir(), 'memscope-no-symbols-'));
    let productive = 0;
    for (let round = 0; round < 12; round++) {
      const rng = new Rng(3000 + round);
      const smeared = image.slice();
      const dv = new DataView(smeared.buffer);
      for (const p of expected.processes.filter((q) => q.linked)) {
        for (let k = 0; k < 3; k++) {
          const at = Number(p.eprocessPhysical) + rng.int(0, 0x800);
          dv.setBigUint64(at - (at % 8), rng.bigint(0n, 0xffffffffffffffffn), true);
        }
      }
      productive += await survives(smeared, `no-symbols smear round ${round}`, [noSymbols]);
    }
    assert.ok(productive >= 1, `some smeared images are still read without symbols (${productive} productive runs)`);
  });

  it('random bytes in the kernel page tables', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    let productive = 0;
    for (let round = 0; round < 12; round++) {
      const rng = new Rng(2000 + round);
      const broken = image.slice();
      const dtb = Number(expected.kernel.dtb);
      // The PML4 itself (keeping its self-reference, so discovery still finds it) and random other pages.
      for (let k = 0; k < 64; k++) {
        const page = k < 8 ? dtb : rng.int(0, broken.length / 4096 - 1) * 4096;
        const slot = rng.int(0, 511);
        if (page === dtb && slot === expected.kernel.selfRefIndex) continue;
        new DataView(broken.buffer).setBigUint64(page + slot * 8, rng.bigint(0n, 0xffffffffffffffffn) | 1n, true);
      }
      productive += await survives(broken, `page-table round ${round}`);
    }
    assert.ok(productive >= 12, `images with broken page tables still yield rows (${productive} productive runs)`);
  });

  it('images cut short at random points: rows, or an error that says the capture looks truncated', async () => {
    const { image, expected } = await windowsImage(OPTIONS);
    assert.ok(Number(expected.lowStub!.physical) < 1024 * 1024);
    const rng = new Rng(3000);
    for (let round = 0; round < 8; round++) {
      const cut = image.slice(0, rng.int(1024 * 1024, image.length - 1));
      await survives(cut, `cut round ${round}`);
      const session = await openWindowsSession(cut);
      if (session.summary.os === null) {
        // The low stub (below 1 MiB) survives every cut, so the image is known to be Windows: say what is missing.
        assert.equal(session.summary.noOs?.kind, 'incomplete');
        assert.match(session.summary.noOs.found.join('\n'), /truncated or incomplete/);
        await assert.rejects(
          collect(session, 'windows.pslist'),
          (e) => isMemscopeError(e) && e.code === 'OS_NOT_FOUND' && /truncated/.test(e.message),
        );
      }
    }
  });
});
