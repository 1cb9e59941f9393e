import { MemscopeError } from '../../errors.ts';
import type { StructView } from '../struct-view.ts';
import { cString, type LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** include/linux/module.h: refcnt starts at MODULE_REF_BASE, /proc/modules shows the count above it. */
const MODULE_REF_BASE = 1;
/** No system loads more modules; a longer walk is smear. */
const MAX_MODULES = 65536;
const STATE_NAMES: Readonly<Record<string, string>> = {
  MODULE_STATE_LIVE: 'Live',
  MODULE_STATE_COMING: 'Loading',
  MODULE_STATE_GOING: 'Unloading',
  MODULE_STATE_UNFORMED: 'Unformed',
};

export interface KernelModule {
  readonly address: bigint;
  readonly name: string;
  /** Bytes of module memory as /proc/modules counts them (core + init). */
  readonly size: number;
  readonly refcount: number;
  readonly state: string;
  /** Where its core (text) is loaded. */
  readonly base: bigint;
  /** Modules that use this one (/proc/modules' "used by"). */
  readonly usedBy: readonly string[];
}

/** The loaded modules, in the order of the `modules` list (most recently loaded first). */
export async function* listModules(kernel: LinuxKernel, warn: (m: string) => void): AsyncGenerator<KernelModule> {
  const listOffset = BigInt(kernel.layout.offset('module', 'list'));
  const states = kernel.symbols.enumeration('module_state');
  for await (const link of listEntries(kernel, kernel.symbolAddress('modules'), 'module list', warn, MAX_MODULES)) {
    const address = link - listOffset;
    const view = await kernel.readStruct('module', address);
    if (!view) {
      warn(`module at 0x${address.toString(16)} is not readable: module list truncated`);
      return;
    }
    const stateValue = view.u32('state');
    const stateName = [...(states?.constants ?? [])].find(([, v]) => v === stateValue)?.[0];
    yield {
      address,
      name: cString(view.raw('name')),
      ...memory(kernel, view),
      refcount: view.u32('refcnt.counter') - MODULE_REF_BASE,
      state: (stateName && STATE_NAMES[stateName]) ?? String(stateValue),
      usedBy: await users(kernel, view, warn),
    };
  }
}

/** 6.4+: mem[MOD_TEXT ...]; before: core_layout / init_layout (4.5+) or module_core / core_size. */
function memory(kernel: LinuxKernel, view: StructView): { size: number; base: bigint } {
  if (view.has('mem')) {
    const regionSize = kernel.layout.size('module_memory');
    const count = kernel.layout.fieldSize('module', 'mem') / regionSize;
    const memOffset = view.offsetOf('mem');
    const dv = new DataView(view.bytes.buffer, view.bytes.byteOffset, view.bytes.byteLength);
    const baseAt = kernel.layout.offset('module_memory', 'base');
    const sizeAt = kernel.layout.offset('module_memory', 'size');
    let size = 0;
    for (let i = 0; i < count; i++) size += dv.getUint32(memOffset + i * regionSize + sizeAt, true);
    return { size, base: dv.getBigUint64(memOffset + baseAt, true) };
  }
  if (view.has('core_layout')) return { size: view.u32('core_layout.size') + view.u32('init_layout.size'), base: view.u64('core_layout.base') };
  if (view.has('core_size')) return { size: view.u32('core_size') + view.u32('init_size'), base: view.u64('module_core') };
  throw new MemscopeError('SYMBOLS_INVALID', 'struct module has neither mem[], core_layout nor core_size', kernel.symbols.origin);
}

/** Names of the modules on this one's source_list (struct module_use: source_list, source). */
async function users(kernel: LinuxKernel, view: StructView, warn: (m: string) => void): Promise<string[]> {
  if (!view.has('source_list') || !kernel.hasStruct('module_use')) return [];
  const member = BigInt(kernel.layout.offset('module_use', 'source_list'));
  const names: string[] = [];
  for await (const link of listEntries(kernel, view.addressOf('source_list'), `users of module ${cString(view.raw('name'))}`, warn, MAX_MODULES)) {
    const use = await kernel.readStruct('module_use', link - member);
    const source = use && (await kernel.readStruct('module', use.u64('source')));
    if (source) names.push(cString(source.raw('name')));
  }
  return names;
}
