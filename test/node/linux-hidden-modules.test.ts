// linux.hidden_modules on the real 6.1 capture: the carve of the module area finds exactly the guest's modules
// (truth.json, from its /proc/modules), so nothing is hidden; then copies with a module unlinked from the module
// list and from /sys/module, as rootkits hide themselves, and with a freed module's remains.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { listModules } from '../../src/os/linux/modules.ts';
import { scanModules } from '../../src/os/linux/module-scan.ts';
import type { KernelModule } from '../../src/plugins/api.ts';
import type { Cell, CountedWarning } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage, type LinuxImage } from '../helpers/linux-image-patch.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, runByColumn } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();
const truthModules = () => linuxTruth()['modules'] as { name: string; size: number; state: string; address: string }[];

for (const capture of LINUX_CAPTURES) {
  describe(`linux.hidden_modules on ${capture}`, { skip }, () => {
    let run: { rows: Record<string, Cell>[]; warnings: readonly CountedWarning[] };

    before(async () => {
      const session = await openLinuxSession(capture);
      try {
        run = await runByColumn(session, 'linux.hidden_modules');
      } finally {
        await session.close();
      }
    });

    it('finds no hidden module, and warns of nothing', () => {
      assert.deepEqual(run.rows, []);
      assert.deepEqual(run.warnings, []);
    });
  });
}

describe('linux.hidden_modules on copies with a module hidden', { skip }, () => {
  let image: LinuxImage;
  let listed: KernelModule[];
  let dummy: KernelModule;

  before(async () => {
    image = await loadLinuxImage();
    listed = [];
    for await (const m of listModules(image.kernel, (w) => assert.fail(w.message))) listed.push(m);
    dummy = listed.find((m) => m.name === 'dummy')!;
  });

  /** dummy taken off the module list and its kobject off /sys/module (module_kset), as list_del leaves them. */
  const hide = async (p: ImagePatch) => {
    const { layout } = image.kernel;
    await p.unlink(dummy.address + BigInt(layout.offset('module', 'list')));
    await p.unlink(dummy.address + BigInt(layout.offset('module', 'mkobj.kobj.entry')));
  };

  it('the carve finds each loaded module — name, load address, size and state as the guest’s /proc/modules — in address order', async () => {
    const carved: KernelModule[] = [];
    for await (const m of scanModules(image.kernel, (w) => assert.fail(w.message))) carved.push(m);
    const byAddress = [...listed].sort((a, b) => (a.address < b.address ? -1 : 1));
    assert.deepEqual(carved, byAddress);
    assert.deepEqual(
      carved.map((m) => [m.name, m.base, m.size, m.state]).sort(),
      truthModules()
        .map((m) => [m.name, BigInt(m.address), m.size, m.state])
        .sort(),
    );
  });

  it('stops at its candidate limit with a LIMIT warning, keeping what it checked', async () => {
    const warnings: string[] = [];
    const carved: bigint[] = [];
    for await (const m of scanModules(image.kernel, (w) => warnings.push(`${w.code} ${w.message}`), { limit: 2 })) carved.push(m.address);
    assert.deepEqual(
      carved,
      listed
        .map((m) => m.address)
        .sort((a, b) => (a < b ? -1 : 1))
        .slice(0, 2),
    );
    assert.deepEqual(warnings, ['LIMIT more than 2 self-pointing module candidates in the module area: the scan stopped there']);
  });

  it('a module unlinked from the module list and /sys/module: found by linux.hidden_modules, not by lsmod or check_modules', async () => {
    const p = new ImagePatch(image);
    await hide(p);
    const patched = await p.open();
    try {
      const lsmod = (await runByColumn(patched, 'linux.lsmod')).rows.map((r) => r['Name']);
      assert.deepEqual(
        lsmod,
        listed.filter((m) => m !== dummy).map((m) => m.name),
      );
      assert.deepEqual((await runByColumn(patched, 'linux.check_modules')).rows, []);
      const hidden = await runByColumn(patched, 'linux.hidden_modules');
      assert.deepEqual(hidden.rows, [{ Address: dummy.address, Name: 'dummy' }]);
      assert.deepEqual(hidden.warnings, []);
    } finally {
      await patched.close();
    }
  });

  it('the remains of a freed module (state MODULE_STATE_UNFORMED, as free_module leaves it) are not reported', async () => {
    const unformed = image.kernel.symbols.enumeration('module_state')!.constants.get('MODULE_STATE_UNFORMED')!;
    const p = new ImagePatch(image);
    await hide(p);
    await p.field('module', dummy.address, 'state', unformed);
    const patched = await p.open();
    try {
      assert.deepEqual((await runByColumn(patched, 'linux.hidden_modules')).rows, []);
    } finally {
      await patched.close();
    }
  });
});
