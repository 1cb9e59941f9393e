import { hex } from '../../io/hex.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { MissingSymbolsError } from '../../symbols/missing-symbols.ts';
import { pdbKey } from '../../symbols/symbol-table.ts';
import type { KernelLoad, OsEnv, OsProfile } from '../os-profile.ts';
import { confirmDiscovery, discoverWindows, kernelLayer, type WindowsDiscovery } from './discovery.ts';
import type { KernelImage } from './kernel-locator.ts';
import { readSharedUserData, windowsVersionLabel } from './kuser-shared-data.ts';
import { processAddressSpace } from './process-list.ts';
import { WindowsRunContext } from './windows-context.ts';
import { DTB_MASK, WindowsKernel } from './windows-kernel.ts';
import { discoverKernelSymbols } from './symbol-free/discovered-table.ts';

/** A discovery the image confirmed, with the kernel image it re-read. */
interface FoundWindows {
  readonly discovery: WindowsDiscovery;
  readonly image: KernelImage;
}

const tableKey = (d: WindowsDiscovery) => pdbKey(d.pdbName, d.guid, d.age);
const missingPdb = (d: WindowsDiscovery) => ({ kind: 'pdb', pdbName: d.pdbName, guid: d.guid, age: d.age }) as const;

/** Kernels built from what the image gives, once per confirmed image (until the symbol table arrives). */
const withoutSymbols = new WeakMap<FoundWindows, Promise<KernelLoad<WindowsKernel>>>();

async function versionOf(kernel: WindowsKernel): Promise<string> {
  const shared = await readSharedUserData(kernel);
  return shared ? windowsVersionLabel(shared) : 'Windows x64';
}

/**
 * The kernel with a table discovered in the image (process structures only), or the request for the symbol table
 * when the image does not give one.
 */
async function loadWithoutSymbols(env: OsEnv, { discovery, image }: FoundWindows): Promise<KernelLoad<WindowsKernel>> {
  const key = tableKey(discovery);
  const warnings: string[] = [];
  const vm = kernelLayer(env.physical, env.wasm, discovery.dtb);
  // One address space per process while candidate offsets are checked against its PEB (several per process).
  const spaces = new Map<number, VirtualLayer>();
  const space = (dtb: bigint) => {
    const root = Number(dtb & DTB_MASK);
    let layer = spaces.get(root);
    if (!layer) spaces.set(root, (layer = kernelLayer(env.physical, env.wasm, root)));
    return layer;
  };
  const found = await discoverKernelSymbols(vm, image, discovery.dtb, space, (w) => warnings.push(w.message));
  if (!found) {
    const reason = `needs the symbol table ${key}: drop it (or a symbol pack) on the page, or pass -s DIR`;
    return { kernel: null, error: new MissingSymbolsError(missingPdb(discovery), env.symbols.describe()), reason };
  }
  const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, found.table, found.table.origin, found.headerCookie);
  const limited = `no symbol file: memscope found the process structures in the image itself; the other plugins need the symbol table ${key}`;
  const provisional = {
    reason: `needs the symbol table ${key} (memscope found only the process structures in the image)`,
    error: new MissingSymbolsError(missingPdb(discovery), env.symbols.describe()),
  };
  return { kernel, osVersion: await versionOf(kernel), provisional, warnings: [limited, ...warnings] };
}

/** Windows 10/11 x64: found in memory (crash-dump header, low stub, self-referencing PML4); symbols by the kernel's PDB. */
export const windowsProfile: OsProfile<'windows', WindowsDiscovery, FoundWindows, WindowsKernel, WindowsRunContext> = {
  id: 'windows',
  name: 'Windows',
  cacheVersion: 2,

  discover: (env) => discoverWindows(env.physical, env.wasm, env.signal),

  async confirm(env, discovery) {
    const image = await confirmDiscovery(env.physical, env.wasm, discovery);
    return image && { discovery, image };
  },

  async loadKernel(env, found) {
    const { discovery, image } = found;
    const key = tableKey(discovery);
    const table = await env.symbols.get(key);
    if (table) {
      const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, table, key);
      return { kernel, osVersion: await versionOf(kernel) };
    }
    let load = withoutSymbols.get(found);
    if (!load) {
      load = loadWithoutSymbols(env, found);
      withoutSymbols.set(found, load);
    }
    return load;
  },

  summary({ discovery: d }, load) {
    // A missing PDB is asked for through missingSymbols (also when the kernel was built without it); a table that
    // cannot be used says why among the warnings.
    const missing =
      load.kernel === null
        ? load.error instanceof MissingSymbolsError
          ? load.error.missing
          : undefined
        : load.provisional
          ? { ...missingPdb(d), discovered: true }
          : undefined;
    return {
      osVersion: load.kernel ? load.osVersion : 'Windows x64 (symbols needed for the exact version)',
      dtb: hex(d.dtb),
      kernelBase: d.kernelBase,
      symbols: load.kernel ? load.kernel.symbols.origin : `${missing ? 'missing' : 'unusable'}: ${tableKey(d)}`,
      symbolKey: tableKey(d),
      missingSymbols: missing,
      warnings: load.kernel ? [...(load.warnings ?? [])] : missing ? [] : [load.error.message],
    };
  },

  processSpace: processAddressSpace,

  runContext: (kernel, run) => new WindowsRunContext(kernel, run),
};
