import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { DiscoveryCache } from '../../src/engine/discovery-cache.ts';
import { MemoryKeyValueCache } from '../../src/engine/kv-cache.ts';
import { findOs } from '../../src/engine/os-discovery.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import { hex } from '../../src/io/hex.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { VirtualLayer } from '../../src/layers/virtual-layer.ts';
import { KernelBase } from '../../src/os/kernel-base.ts';
import { StructLayout } from '../../src/os/struct-layout.ts';
import { KernelSymbols } from '../../src/os/linux/kallsyms-tables.ts';
import { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import { LinuxSymbolTable } from '../../src/os/linux/linux-symbol-table.ts';
import { hlistNodes, listLinks, type ListBreak } from '../../src/os/list-walk.ts';
import type { OsEnv, OsOutcome, OsProfile } from '../../src/os/os-profile.ts';
import { osProfiles } from '../../src/os/registry.ts';
import type { PluginDefinition } from '../../src/plugins/plugin-definition.ts';
import type { RunWarning } from '../../src/plugins/plugin.ts';
import { validatePlugin } from '../../src/plugins/plugin-validation.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { parseBtf } from '../../src/symbols/btf.ts';
import { parseIsf } from '../../src/symbols/isf-table.ts';
import { MemorySymbolStore } from '../../src/symbols/symbol-store.ts';
import { linuxIdentity } from '../../src/symbols/symbol-table.ts';
import { loadIsf } from '../fixtures/windows/isf.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { linuxContextBtf } from '../helpers/synthetic-linux.ts';
import { collect, collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const WINDOWS = { size: 16 * 1024 * 1024, seed: 53 };

/** What a stand-in profile finds: plain data, as discovery caches it. */
interface Spot {
  readonly at: number;
}
type Outcome = OsOutcome<Spot>;
const miss = (why: string, partial = false): Outcome => ({ discovery: null, why, partial });
const hit = (at: number): Outcome => ({ discovery: { at } });

/**
 * A profile whose container check (when it has one), memory search and confirmation answer as told and note each
 * call in `calls`; findOs never builds a kernel.
 */
function standIn(
  id: string,
  calls: string[],
  answers: { container?: Outcome | null; memory: Outcome; confirms?: boolean },
): OsProfile<string, Spot, Spot> {
  const unused = () => {
    throw new Error('not used by discovery');
  };
  return {
    id,
    name: id,
    cacheVersion: 7,
    ...(answers.container !== undefined && { fromContainer: async () => (calls.push(`${id} container`), answers.container!) }),
    discover: async () => (calls.push(`${id} memory`), answers.memory),
    confirm: async (_env, spot) => (calls.push(`${id} confirm`), answers.confirms === false ? null : spot),
    loadKernel: unused,
    summary: unused,
    processSpace: unused,
    runContext: unused,
  };
}

/** Stand-ins ignore the image. */
const NO_IMAGE = {} as OsEnv;

describe('OS discovery over registered profiles (stand-ins)', () => {
  it('asks every container first, then searches memory in registry order, and stops at the first OS found', async () => {
    const calls: string[] = [];
    const a = standIn('a', calls, { memory: miss('no A here', true) });
    const b = standIn('b', calls, { container: null, memory: hit(2) });
    const c = standIn('c', calls, { container: null, memory: hit(3) });
    const search = await findOs([a, b, c], NO_IMAGE, new DiscoveryCache(new MemoryKeyValueCache(), 'build-1'), 'fp');
    assert.deepEqual(calls, ['b container', 'c container', 'a memory', 'b memory', 'b confirm']);
    assert.equal(search.found?.profile, b);
    assert.deepEqual(search.found?.found, { at: 2 });
    assert.deepEqual([...search.misses], [[a, miss('no A here', true)]]);
  });

  it('a container that names its OS ends discovery before any memory search', async () => {
    const calls: string[] = [];
    const a = standIn('a', calls, { memory: hit(1) });
    const b = standIn('b', calls, { container: hit(2), memory: hit(2) });
    const search = await findOs([a, b], NO_IMAGE, new DiscoveryCache(undefined, 'build-1'), 'fp');
    assert.deepEqual(calls, ['b container', 'b confirm']);
    assert.equal(search.found?.profile, b);
  });

  it('caches each outcome under <id>/v<version>/<fingerprint>, read once before the profile’s first step', async () => {
    const store = new MemoryKeyValueCache();
    const cache = new DiscoveryCache(store, 'build-1');
    const first: string[] = [];
    await findOs([standIn('a', first, { memory: miss('no A') }), standIn('b', first, { container: null, memory: hit(2) })], NO_IMAGE, cache, 'fp');
    assert.deepEqual(await store.get('a/v7/fp'), { ...miss('no A'), buildId: 'build-1' });
    assert.deepEqual(await store.get('b/v7/fp'), hit(2));

    // Reopened: b's remembered find is read in the container phase and confirmed; nothing is searched again.
    const again: string[] = [];
    const search = await findOs(
      [standIn('a', again, { memory: miss('no A') }), standIn('b', again, { container: null, memory: hit(2) })],
      NO_IMAGE,
      cache,
      'fp',
    );
    assert.deepEqual(again, ['b confirm']);
    assert.deepEqual(search.found?.found, { at: 2 });
  });

  it('a remembered find the image does not confirm is searched for again; a fresh find it does not confirm is a partial miss', async () => {
    const store = new MemoryKeyValueCache();
    await store.set('a/v7/fp', hit(9));
    const calls: string[] = [];
    const a = standIn('a', calls, { memory: hit(1), confirms: false });
    const search = await findOs([a], NO_IMAGE, new DiscoveryCache(store, 'build-1'), 'fp');
    assert.deepEqual(calls, ['a confirm', 'a memory', 'a confirm']);
    assert.equal(search.found, null);
    assert.deepEqual(search.misses.get(a), miss('the kernel image found during discovery could not be read again', true));
  });
});

describe('the shared list walker', () => {
  /** A kernel address space holding only the given 64-bit words. */
  const memory = (words: Record<string, bigint>) => ({ readU64: async (at: bigint) => words[hex(at)] ?? null }) as unknown as VirtualLayer;
  const walk = async (words: Record<string, bigint>, limit = 10) => {
    const warnings: RunWarning[] = [];
    const breaks: ListBreak[] = [];
    const links: bigint[] = [];
    const describe = (b: ListBreak) => (breaks.push(b), { message: b.kind, address: hex(b.at) });
    for await (const link of listLinks(memory(words), 0x100n, { limit, warn: (w) => warnings.push(w), describe })) links.push(link);
    return { links, warnings, breaks };
  };

  it('walks forward to the head; stops at a cycle, a NULL or unreadable link, or the limit, with one warning at the link that ended it', async () => {
    assert.deepEqual((await walk({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0x100n })).warnings, []);
    const loop = await walk({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0x200n });
    assert.deepEqual(loop.links, [0x200n, 0x300n]);
    assert.deepEqual(loop.breaks, [{ kind: 'loop', at: 0x300n, next: 0x200n, entries: 2 }]);
    assert.deepEqual(loop.warnings, [{ code: 'SMEAR', message: 'loop', address: '0x300' }]);
    assert.deepEqual((await walk({ '0x100': 0x200n, '0x200': 0n })).warnings, [{ code: 'SMEAR', message: 'null', address: '0x200' }]);
    assert.deepEqual((await walk({ '0x100': 0x200n, '0x200': 0x300n })).warnings, [{ code: 'UNREADABLE', message: 'unreadable', address: '0x300' }]);
    assert.deepEqual((await walk({})).warnings, [{ code: 'UNREADABLE', message: 'unreadable', address: '0x100' }]);
    const long = await walk({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0x400n, '0x400': 0x100n }, 2);
    assert.deepEqual(long.links, [0x200n, 0x300n]);
    assert.deepEqual(long.warnings, [{ code: 'LIMIT', message: 'limit', address: '0x300' }]);
  });

  it('walks an hlist from its head to the NULL that ends it; stops at a cycle, an unreadable link or the limit the same way', async () => {
    const hlist = async (words: Record<string, bigint>, limit = 10) => {
      const warnings: RunWarning[] = [];
      const nodes: bigint[] = [];
      const describe = (b: ListBreak) => ({ message: b.kind, address: hex(b.at) });
      for await (const node of hlistNodes(memory(words), 0x100n, { limit, warn: (w) => warnings.push(w), describe })) nodes.push(node);
      return { nodes, warnings };
    };
    assert.deepEqual(await hlist({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0n }), { nodes: [0x200n, 0x300n], warnings: [] });
    assert.deepEqual(await hlist({ '0x100': 0n }), { nodes: [], warnings: [] });
    assert.deepEqual((await hlist({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0x200n })).warnings, [
      { code: 'SMEAR', message: 'loop', address: '0x300' },
    ]);
    assert.deepEqual((await hlist({ '0x100': 0x200n, '0x200': 0x300n })).warnings, [{ code: 'UNREADABLE', message: 'unreadable', address: '0x300' }]);
    const long = await hlist({ '0x100': 0x200n, '0x200': 0x300n, '0x300': 0x400n, '0x400': 0n }, 2);
    assert.deepEqual(long, { nodes: [0x200n, 0x300n], warnings: [{ code: 'LIMIT', message: 'limit', address: '0x300' }] });
  });

  it('Windows: a NULL Flink stops the process list with a SMEAR at the _EPROCESS holding it', async () => {
    const { image, expected } = await windowsImage(WINDOWS);
    const isf = await loadIsf();
    const linksOffset = isf.field('_EPROCESS', 'ActiveProcessLinks.Flink').offset;
    const linked = expected.processes.filter((p) => p.linked);
    const broken = image.slice();
    new DataView(broken.buffer).setBigUint64(Number(BigInt(linked[3]!.eprocessPhysical) + BigInt(linksOffset)), 0n, true);
    const { rows, warnings } = await collectRun(await openWindowsSession(broken), 'windows.pslist');
    assert.deepEqual(
      rows.map((r) => r.values[0]),
      linked.slice(0, 4).map((p) => p.pid),
    );
    assert.deepEqual(warnings, [
      { code: 'SMEAR', message: 'process list link is NULL: walk stopped', address: hex(BigInt(linked[3]!.eprocessVirtual)), count: 1 },
    ]);
  });
});

describe('a symbol table lacking what the kernel context needs: one SYMBOLS_INVALID naming all of it, when the kernel is built', () => {
  it('Windows: the generated image’s ISF without _EPROCESS.ActiveProcessLinks and _KUSER_SHARED_DATA.NtSystemRoot', async () => {
    const { image, symbols } = await windowsImage(WINDOWS);
    const trimmed = structuredClone(symbols);
    delete trimmed.user_types['_EPROCESS']!.fields['ActiveProcessLinks'];
    delete trimmed.user_types['_KUSER_SHARED_DATA']!.fields['NtSystemRoot'];
    const store = new MemorySymbolStore();
    const { key } = await store.putFile('trimmed.json', new TextEncoder().encode(JSON.stringify(trimmed)));
    const session = await openWindowsSession(image, { symbols: store });

    const error = `${key}: the symbol table lacks what the kernel context needs: _EPROCESS.ActiveProcessLinks, _KUSER_SHARED_DATA.NtSystemRoot`;
    assert.equal(session.summary.os, 'windows');
    assert.equal(session.summary.symbols, `unusable: ${key}`);
    assert.equal(session.summary.missingSymbols, undefined);
    assert.deepEqual(session.summary.warnings, [error]);
    // Every plugin that needs the kernel (yarascan.yarascan needs none).
    for (const p of session.plugins().filter((p) => p.os !== 'any'))
      assert.deepEqual(p.unmet, [`needs the Windows kernel's symbols: ${error}`], p.name);
    // windows.info reads neither field, yet is refused at once: the table is judged when the kernel is built.
    for (const plugin of ['windows.info', 'windows.pslist']) await rejectsWith(collect(session, plugin), 'SYMBOLS_INVALID', error);
  });

  it('each need is named once: a field, alternatives none of which exists, a type the table lacks altogether', async () => {
    const { symbols } = await windowsImage(WINDOWS);
    const layout = new StructLayout(parseIsf(JSON.stringify(symbols), 'generated.json'), 'generated.json');
    const needs = [
      '_EPROCESS.UniqueProcessId',
      '_EPROCESS.Pcb.DirectoryTableBase',
      '_EPROCESS.Nope',
      ['_EPROCESS.Wow64Process', '_EPROCESS.WoW64Process'],
      ['_EPROCESS.A', '_EPROCESS.B'],
      '_NOPE.X',
      '_NOPE.Y',
    ];
    assert.deepEqual(layout.lacking(needs), ['_EPROCESS.Nope', '_EPROCESS.A or _EPROCESS.B', 'type _NOPE']);
  });

  it('Linux: a kernel BTF without task_struct.comm and mm_struct.pgd', async () => {
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(new MemorySource(new Uint8Array(1024 * 1024), 'empty.raw'));
    const discovery = { release: '6.1.0', banner: '', vmcoreinfo: '', vmcoreinfoFoundAt: '', kaslrOffset: '0x0', physBase: '0x0', dtb: 0x1000 };
    const kallsyms = new KernelSymbols(['init_task'], 'D', BigUint64Array.of(0xffffffff82a0c940n));
    const kernel = (without: readonly string[]) => {
      const table = new LinuxSymbolTable(linuxIdentity('Linux version 6.1.0'), 'test BTF', parseBtf(linuxContextBtf(without), 'test BTF'), kallsyms);
      return new LinuxKernel(physical, env.wasm, discovery, table, 0n);
    };
    assert.ok(kernel([]) instanceof KernelBase, 'the complete table builds a kernel context');
    assert.throws(
      () => kernel(['task_struct.comm', 'mm_struct.pgd']),
      (e) =>
        isMemscopeError(e) &&
        e.code === 'SYMBOLS_INVALID' &&
        e.message === 'test BTF: the symbol table lacks what the kernel context needs: task_struct.comm, mm_struct.pgd',
    );
    // Alternatives: __state (5.14+) or state, either will do.
    assert.throws(
      () => kernel(['task_struct.__state']),
      (e) => isMemscopeError(e) && e.message.endsWith('needs: task_struct.__state or task_struct.state'),
    );
  });
});

describe('the plugin contract follows the registry', () => {
  const declaration = (os: string) => ({
    name: 'test.kernel',
    version: '1.0.0',
    description: 'Needs a kernel.',
    requirements: [{ kind: 'kernel', os }],
    columns: [{ name: 'Value', type: 'str' as const }],
    options: [],
    tree: false,
    async *run() {},
  });

  it('a kernel requirement names a registered OS id, and only those', () => {
    for (const { id } of osProfiles) validatePlugin(declaration(id), 'test.mjs');
    assert.throws(
      () => validatePlugin(declaration('macos'), 'test.mjs'),
      (e) => isMemscopeError(e) && e.code === 'BAD_PLUGIN' && e.message.includes(`os: ${osProfiles.map((p) => `'${p.id}'`).join(' | ')}`),
    );
  });

  it('a plugin gets one kernel accessor per registered OS: this image’s kernel, or why the others are not here', async () => {
    const { image } = await windowsImage(WINDOWS);
    const outcomes: string[] = [];
    const probe: PluginDefinition = {
      ...declaration('windows'),
      requirements: [],
      async *run(ctx) {
        for (const { id } of osProfiles) {
          const accessor = (ctx as unknown as Record<string, () => Promise<object>>)[id]!;
          outcomes.push(
            await accessor().then(
              (k) => `${id}: ${k.constructor.name}`,
              (e: Error) => `${id}: ${e.message}`,
            ),
          );
        }
        yield { depth: 0, values: ['done'] };
      },
    };
    await collect(await openWindowsSession(image, { plugins: [...builtinPlugins, probe] }), probe.name);
    assert.deepEqual(outcomes, ['windows: WindowsRunContext', 'linux: generated.raw: this is a Windows image']);
  });
});
