/**
 * The analyzer on generated images of each Windows kernel the generator knows (Windows 10 19041,
 * Windows 11 22000, Windows 10 17763): discovery, version, pslist, psscan and info must hold for every
 * layout, not only the one the other tests use.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { byOffset, byVirtualAddress, processRow } from '../helpers/windows-process-rows.ts';
import { collect, collectRun, hexBig, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

for (const kernel of WINDOWS_KERNELS) {
  describe(`analyzer on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('was generated for this kernel', async () => {
      const { expected } = await image();
      assert.deepEqual(expected.kernel.pdb, { name: 'ntkrnlmp.pdb', guid: kernel.guid, age: kernel.age });
      assert.deepEqual(
        { major: expected.kernel.version.major, minor: expected.kernel.version.minor, build: expected.kernel.version.build },
        { major: kernel.major, minor: kernel.minor, build: kernel.build },
      );
    });

    it('finds DTB, kernel base, PDB identity and the OS version', async () => {
      const { expected } = await image();
      const s = (await session()).summary;
      assert.equal(s.os, 'windows');
      assert.equal(s.dtb, expected.kernel.dtb);
      assert.equal(BigInt(s.kernelBase!), hexBig(expected.kernel.base));
      assert.ok(s.symbols?.includes(`${kernel.guid}-${kernel.age}`), `symbols ${s.symbols}`);
      assert.equal(s.osVersion, kernel.osVersion);
    });

    it('windows.pslist lists exactly the linked processes, in list order', async () => {
      const { expected } = await image();
      const s = await session();
      const { rows, warnings } = await collectRun(s, 'windows.pslist');
      assert.deepEqual(
        rows.map((r) => r.values),
        expected.processes.filter((p) => p.linked).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
      );
      assert.deepEqual(warnings, []);
    });

    it('windows.psscan finds every process and none of the decoys', async () => {
      const { expected } = await image();
      const rows = (await collect(await session(), 'windows.psscan')).sort(byOffset);
      assert.deepEqual(
        rows.map((r) => r.values),
        byVirtualAddress(expected.processes).map((p) => processRow(p, hexBig(p.eprocessVirtual))),
      );
      const names = new Set(rows.map((r) => r.values[2]));
      for (const d of expected.decoys) if (d.name) assert.ok(!names.has(d.name), `decoy ${d.kind} (${d.name}) reported`);
    });

    it('windows.info reports the build and build lab', async () => {
      const { expected } = await image();
      const info = new Map((await collect(await session(), 'windows.info')).map((r) => [r.values[0], r.values[1]]));
      assert.equal(info.get('NtBuildNumber'), String(kernel.build));
      assert.equal(info.get('NtMajorVersion'), String(kernel.major));
      assert.equal(info.get('NtMinorVersion'), String(kernel.minor));
      assert.equal(info.get('Major/Minor'), `15.${kernel.build}`, 'KdVersionBlock of a free build');
      assert.equal(info.get('NtBuildLab'), expected.kernel.ntBuildLab);
      assert.ok(expected.kernel.ntBuildLab.startsWith(`${kernel.build}.`), expected.kernel.ntBuildLab);
    });
  });
}
