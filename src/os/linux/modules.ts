import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { KernelModule } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** include/linux/module.h: refcnt starts at MODULE_REF_BASE, module_refcount() is the count above it. */
const MODULE_REF_BASE = 1;
/** No system loads more modules; a longer walk is smear. */
const MAX_MODULES = 65536;
/** /proc/modules' words for module_state (kernel/module/procfs.c m_show). */
const STATE_NAMES: Readonly<Record<string, string>> = {
  MODULE_STATE_LIVE: 'Live',
  MODULE_STATE_COMING: 'Loading',
  MODULE_STATE_GOING: 'Unloading',
  MODULE_STATE_UNFORMED: 'Unformed',
};

/** The loaded modules, in the order of the `modules` list (most recently loaded first). */
export async function* listModules(kernel: LinuxKernel, warn: Warn): AsyncGenerator<KernelModule> {
  const listOffset = BigInt(kernel.layout.offset('module', 'list'));
  const states = moduleStates(kernel);
  for await (const link of listEntries(kernel, kernel.symbolAddress('modules'), 'module list', warn, MAX_MODULES)) {
    const address = link - listOffset;
    const view = await kernel.readStruct('module', address);
    if (!view) {
      warn({ code: 'UNREADABLE', message: 'module not readable: module list truncated', address: hex(address) });
      return;
    }
    yield describeModule(kernel, view, states, warn);
  }
}

/** module_state's values by /proc/modules' word for them (the kernel's constant name where it has no word). */
export function moduleStates(kernel: LinuxKernel): ReadonlyMap<number, string> {
  return new Map([...(kernel.symbols.enumeration('module_state')?.constants ?? [])].map(([name, value]) => [value, STATE_NAMES[name] ?? name]));
}

/** A struct module as /proc/modules shows it; `states` from moduleStates. */
export async function describeModule(kernel: LinuxKernel, view: StructView, states: ReadonlyMap<number, string>, warn: Warn): Promise<KernelModule> {
  const state = view.u32('state');
  return {
    address: view.address,
    name: cString(view.raw('name')),
    ...moduleMemory(kernel, view),
    refcount: view.has('refcnt.counter') ? (view.u32('refcnt.counter') | 0) - MODULE_REF_BASE : null,
    state: states.get(state) ?? String(state),
    usedBy: await usedBy(kernel, view, warn),
  };
}

/** Size and text base: mem[] (6.4+), core_layout/init_layout (4.5+, data_layout where present), module_core/core_size before. */
export function moduleMemory(kernel: LinuxKernel, view: StructView): { size: number; base: bigint } {
  const layout = kernel.layout;
  if (view.has('mem')) {
    const regionSize = layout.size('module_memory');
    const count = layout.fieldSize('module', 'mem') / regionSize;
    const dv = new DataView(view.bytes.buffer, view.bytes.byteOffset, view.bytes.byteLength);
    const region = (i: number) => view.offsetOf('mem') + i * regionSize;
    let size = 0;
    for (let i = 0; i < count; i++) size += dv.getUint32(region(i) + layout.offset('module_memory', 'size'), true);
    const text = kernel.symbols.enumeration('mod_mem_type')?.constants.get('MOD_TEXT') ?? 0;
    return { size, base: dv.getBigUint64(region(text) + layout.offset('module_memory', 'base'), true) };
  }
  if (view.has('core_layout')) {
    const data = view.has('data_layout') ? view.u32('data_layout.size') : 0;
    return { size: view.u32('core_layout.size') + view.u32('init_layout.size') + data, base: view.u64('core_layout.base') };
  }
  if (view.has('core_size')) return { size: view.u32('core_size') + view.u32('init_size'), base: view.u64('module_core') };
  throw new MemscopeError(
    'SYMBOLS_INVALID',
    'struct module has neither mem[], core_layout nor core_size: cannot size kernel modules',
    kernel.symbols.origin,
  );
}

/** print_unload_info: the names on source_list (struct module_use), then [permanent] for an init without exit. */
async function usedBy(kernel: LinuxKernel, view: StructView, warn: Warn): Promise<string[]> {
  const names: string[] = [];
  if (view.has('source_list') && kernel.hasStruct('module_use')) {
    const member = BigInt(kernel.layout.offset('module_use', 'source_list'));
    const sourceAt = BigInt(kernel.layout.offset('module_use', 'source'));
    const nameAt = BigInt(kernel.layout.offset('module', 'name'));
    const nameSize = kernel.layout.fieldSize('module', 'name');
    for await (const link of listEntries(kernel, view.addressOf('source_list'), `users of module ${cString(view.raw('name'))}`, warn, MAX_MODULES)) {
      const source = await kernel.vm.readU64(link - member + sourceAt);
      const name = source ? await kernel.vm.read(source + nameAt, nameSize) : null;
      if (name) names.push(cString(name));
      else warn({ code: 'UNREADABLE', message: `a user of module ${cString(view.raw('name'))} is not readable`, address: hex(link - member) });
    }
  }
  if (view.has('exit') && view.u64('init') !== 0n && view.u64('exit') === 0n) names.push('[permanent]');
  return names;
}
