/**
 * windows.ldrmodules on generated images of each Windows kernel: every region starting with an MZ header (the DLLs'
 * image views and the injected PE image), and which of the PEB loader's three lists holds a module at its base.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;
const PE_MAGIC = '4d5a';

/** Pid, Process, Base, InLoad, InInit, InMem, MappedPath — in VAD order, from what the generator mapped. */
function ldrRows(p: ExpectedProcess): unknown[][] {
  const dlls = (p.dlls ?? []).slice(1); // the process image's first page is not mapped in these images
  const injected = (p.malfind ?? []).filter((m) => m.first64.startsWith(PE_MAGIC)).map((m) => m.start);
  const headed = new Set([...dlls.map((d) => d.base), ...injected]);
  return (p.vads ?? [])
    .filter((v) => headed.has(v.start))
    .map((v) => {
      const dll = dlls.find((d) => d.base === v.start);
      return [p.pid, p.name, BigInt(v.start), dll?.inLoad ?? false, dll?.inInit ?? false, dll?.inMem ?? false, v.file];
    });
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.ldrmodules on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    it('lists every MZ-headed region with the loader lists holding it: the unlinked DLL and the injected image stand out', async () => {
      const { image, expected } = await windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
      const session = await openWindowsSession(image, { symbolDirs: [kernel.symbolDir] });
      const { rows, warnings } = await collectRun(session, 'windows.ldrmodules');
      const linked = expected.processes.filter((p) => p.linked);
      assert.deepEqual(
        rows.map((r) => [...r.values]),
        linked.flatMap(ldrRows),
      );
      assert.deepEqual(warnings, []);
      const odd = rows.filter((r) => !(r.values[3] && r.values[5]));
      const unlinked = linked.flatMap((p) => (p.dlls ?? []).filter((d) => !d.inLoad).map((d) => BigInt(d.base)));
      const injected = linked.flatMap((p) => (p.malfind ?? []).map((m) => BigInt(m.start)));
      assert.ok(unlinked.length > 0 && injected.length > 0, 'the image has an unlinked DLL and an injected image');
      assert.deepEqual(
        odd.map((r) => r.values[2]).sort(),
        [...unlinked, ...injected].sort(),
        'only the unlinked DLL and the injected image miss from a list',
      );
    });
  });
}
