import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { listModules } from '../../src/os/linux/modules.ts';
import type { KernelModule } from '../../src/plugins/api.ts';
import type { Cell, CountedWarning } from '../../src/plugins/plugin.ts';
import { ImagePatch, loadLinuxImage } from '../helpers/linux-image-patch.ts';
import { LINUX_FIXTURE_DIR, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { LINUX_CAPTURES, openLinuxSession, runByColumn } from '../helpers/linux-session.ts';

interface TruthModule {
  name: string;
  size: number;
  refcount: number;
  deps: string[];
  state: string;
  address: string;
}

const skip = linuxFixtureSkipReason();
const truthModules = () => linuxTruth()['modules'] as TruthModule[];

/** The guest's /proc/modules as /init printed it on the serial console. */
function consoleProcModules(): string[] {
  const text = readFileSync(join(LINUX_FIXTURE_DIR, 'linux-a.console'), 'latin1').replace(/\r/g, '');
  const body = text.split('=== BEGIN modules ===\n')[1]?.split('=== END modules ===')[0];
  assert.ok(body, 'console section modules');
  return body.split('\n').filter(Boolean);
}

/** A row as a /proc/modules line (kernel/module/procfs.c m_show): name size refcount used-by state address. */
const procModulesLine = (r: Record<string, Cell>) =>
  `${r['Name']} ${r['Size']} ${r['Refcount']} ${r['Used by'] || '-'} ${r['State']} 0x${(r['Base'] as bigint).toString(16)}`;

for (const capture of LINUX_CAPTURES) {
  describe(`linux.lsmod on ${capture}`, { skip }, () => {
    let session: Session;
    let rows: Record<string, Cell>[];
    let warnings: readonly CountedWarning[];
    before(async () => {
      session = await openLinuxSession(capture);
      ({ rows, warnings } = await runByColumn(session, 'linux.lsmod'));
    });
    after(() => session?.close());

    it('exactly the loaded modules with size, refcount, state, load address and users, in /proc/modules order', () => {
      const got = rows.map((r) => ({
        name: r['Name'],
        size: r['Size'],
        refcount: r['Refcount'],
        state: r['State'],
        address: r['Base'],
        deps: String(r['Used by']).split(',').filter(Boolean),
      }));
      const want = truthModules().map((m) => ({
        name: m.name,
        size: m.size,
        refcount: m.refcount,
        state: m.state,
        address: BigInt(m.address),
        deps: m.deps,
      }));
      assert.deepEqual(got, want);
      assert.deepEqual(rows.map(procModulesLine), consoleProcModules());
      assert.deepEqual(warnings, []);
    });

    it('Offset is each struct module, inside its own module memory in the module area', () => {
      for (const r of rows) {
        const [offset, base] = [r['Offset'] as bigint, r['Base'] as bigint];
        // arch/x86/include/asm/pgtable_64_types.h: MODULES_VADDR (0xffffffffa0000000, 0xffffffffc0000000 with KASLR) to MODULES_END.
        assert.ok(base >= 0xffffffffa0000000n && base < 0xffffffffff000000n, `${r['Name']} at 0x${base.toString(16)}`);
        // 6.1: .gnu.linkonce.this_module is module data, in the core allocation after the text.
        assert.ok(offset > base && offset < base + BigInt(r['Size'] as number), `${r['Name']}: struct module at 0x${offset.toString(16)}`);
      }
    });
  });
}

describe('linux.lsmod of rewritten module structures (real 6.1 layout)', { skip }, () => {
  it('Loading / Unloading states, refcount above MODULE_REF_BASE, a user via module_use, [permanent] for an init without exit', async () => {
    const image = await loadLinuxImage();
    const { kernel } = image;
    const p = new ImagePatch(image);
    const original: KernelModule[] = [];
    for await (const m of listModules(kernel, (w) => assert.fail(w.message))) original.push(m);
    const address = (name: string) => original.find((m) => m.name === name)!.address;
    const [loop, dummy, fwCfg] = [address('loop'), address('dummy'), address('qemu_fw_cfg')];
    const state = (name: string) => kernel.symbols.enumeration('module_state')!.constants.get(name)!;
    await p.field('module', dummy, 'state', state('MODULE_STATE_GOING'));
    await p.field('module', fwCfg, 'state', state('MODULE_STATE_COMING'));
    await p.field('module', dummy, 'refcnt.counter', 3);
    await p.field('module', dummy, 'exit', 0);
    // loop uses dummy: a module_use on dummy's source_list (kernel/module/main.c add_module_usage).
    const use = await p.scratch('module_use');
    const sourceList = dummy + BigInt(kernel.layout.offset('module', 'source_list'));
    const useLink = use + BigInt(kernel.layout.offset('module_use', 'source_list'));
    await p.field('module_use', use, 'source_list.next', sourceList);
    await p.field('module_use', use, 'source_list.prev', sourceList);
    await p.field('module_use', use, 'source', loop);
    await p.field('module_use', use, 'target', dummy);
    await p.field('module', dummy, 'source_list.next', useLink);
    await p.field('module', dummy, 'source_list.prev', useLink);
    const patched = await p.open();
    try {
      const { rows, warnings } = await runByColumn(patched, 'linux.lsmod');
      const byName = new Map(rows.map((r) => [r['Name'], r]));
      assert.deepEqual(
        ['loop', 'dummy', 'qemu_fw_cfg'].map((n) => [byName.get(n)!['State'], byName.get(n)!['Refcount'], byName.get(n)!['Used by']]),
        [
          ['Live', 0, ''],
          ['Unloading', 2, 'loop,[permanent]'],
          ['Loading', 0, ''],
        ],
      );
      assert.deepEqual(warnings, []);
    } finally {
      await patched.close();
    }
  });
});
