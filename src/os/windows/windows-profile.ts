import { isMemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { MissingSymbolsError } from '../../symbols/missing-symbols.ts';
import { pdbKey, symbolKey } from '../../symbols/symbol-table.ts';
import type { KernelLoad, OsEnv, OsProfile } from '../os-profile.ts';
import { confirmDiscovery, discoverWindows, kernelLayer, type WindowsDiscovery } from './discovery.ts';
import type { IdentifiedKernelImage, KernelImage } from './kernel-locator.ts';
import { layoutMatchWarning, matchKernelTable } from './kernel-table-match.ts';
import { readSharedUserData, windowsVersionLabel } from './kuser-shared-data.ts';
import { processAddressSpace } from './process-list.ts';
import { WindowsRunContext } from './windows-context.ts';
import { DTB_MASK, WindowsKernel } from './windows-kernel.ts';
import type { CodeViewRecord } from './pe-header.ts';
import { discoverKernelSymbols } from './symbol-free/discovered-table.ts';

/** A discovery the image confirmed, with the kernel image it re-read. */
interface FoundWindows {
  readonly discovery: WindowsDiscovery;
  readonly image: KernelImage;
}

/** A confirmed kernel whose CodeView record names its PDB. */
interface IdentifiedWindows {
  readonly discovery: WindowsDiscovery & { readonly pdb: CodeViewRecord };
  readonly image: IdentifiedKernelImage;
}

const tableKey = (pdb: CodeViewRecord) => pdbKey(pdb.pdbName, pdb.guid, pdb.age);
const missingPdb = (pdb: CodeViewRecord) => ({ kind: 'pdb', pdbName: pdb.pdbName, guid: pdb.guid, age: pdb.age }) as const;

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
async function loadWithoutSymbols(env: OsEnv, { discovery, image }: IdentifiedWindows): Promise<KernelLoad<WindowsKernel>> {
  const key = tableKey(discovery.pdb);
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
    return { kernel: null, error: new MissingSymbolsError(missingPdb(discovery.pdb), env.symbols.describe()), reason };
  }
  const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, found.table, found.table.origin, found.headerCookie);
  const limited = `no symbol file: memscope found the process structures in the image itself; the other plugins need the symbol table ${key}`;
  const provisional = {
    reason: `needs the symbol table ${key} (memscope found only the process structures in the image)`,
    error: new MissingSymbolsError(missingPdb(discovery.pdb), env.symbols.describe()),
  };
  return { kernel, osVersion: await versionOf(kernel), provisional, warnings: [limited, ...warnings] };
}

/** Kernel symbol tables whose layout did not fit, per confirmed image: a retry (symbols added) tries only new ones. */
const misfits = new WeakMap<FoundWindows, Set<string>>();

/** The kernel with the reachable kernel symbol table whose layout fits memory, when the image does not name its PDB. */
async function loadByLayout(env: OsEnv, found: FoundWindows): Promise<KernelLoad<WindowsKernel>> {
  const { discovery, image } = found;
  let rejected = misfits.get(found);
  if (!rejected) misfits.set(found, (rejected = new Set()));
  try {
    const { key, table } = await matchKernelTable(env.symbols, kernelLayer(env.physical, env.wasm, discovery.dtb), image.base, rejected);
    const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, table, key);
    return { kernel, osVersion: await versionOf(kernel), warnings: [layoutMatchWarning(key)] };
  } catch (e) {
    if (isMemscopeError(e) && e.code === 'SYMBOLS_MISSING') return { kernel: null, error: e };
    throw e;
  }
}

/** The PDB key the kernel's symbols are looked up by: its CodeView record's, else the table matched by layout. */
function kernelKey({ discovery }: FoundWindows, load: KernelLoad<WindowsKernel>): string | undefined {
  if (discovery.pdb) return tableKey(discovery.pdb);
  const identity = load.kernel?.symbols.identity;
  return identity && symbolKey(identity);
}

/** Windows 10/11 x64: found in memory (crash-dump header, low stub, self-referencing PML4); symbols by the kernel's PDB. */
export const windowsProfile: OsProfile<'windows', WindowsDiscovery, FoundWindows, WindowsKernel, WindowsRunContext> = {
  id: 'windows',
  name: 'Windows',
  cacheVersion: 3,

  discover: (env) => discoverWindows(env.physical, env.wasm, env.signal),

  async confirm(env, discovery) {
    const image = await confirmDiscovery(env.physical, env.wasm, discovery);
    return image && { discovery, image };
  },

  async loadKernel(env, found) {
    const { discovery, image } = found;
    const pdb = discovery.pdb;
    if (!pdb || !image.pdb) return loadByLayout(env, found);
    const key = tableKey(pdb);
    const table = await env.symbols.get(key);
    if (table) {
      const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, table, key);
      return { kernel, osVersion: await versionOf(kernel) };
    }
    let load = withoutSymbols.get(found);
    if (!load) {
      load = loadWithoutSymbols(env, { discovery: { ...discovery, pdb }, image: { ...image, pdb: image.pdb } });
      withoutSymbols.set(found, load);
    }
    return load;
  },

  summary(found, load) {
    const d = found.discovery;
    const key = kernelKey(found, load);
    // A missing PDB is asked for through missingSymbols (also when the kernel was built without it); a table that
    // cannot be used says why among the warnings.
    const missing =
      load.kernel === null
        ? load.error instanceof MissingSymbolsError
          ? load.error.missing
          : undefined
        : load.provisional && d.pdb
          ? { ...missingPdb(d.pdb), discovered: true }
          : undefined;
    return {
      osVersion: load.kernel ? load.osVersion : 'Windows x64 (symbols needed for the exact version)',
      dtb: hex(d.dtb),
      kernelBase: d.kernelBase,
      symbols: load.kernel
        ? load.kernel.symbols.origin
        : key
          ? `${missing ? 'missing' : 'unusable'}: ${key}`
          : 'unknown: the kernel image does not name its PDB',
      symbolKey: key,
      missingSymbols: missing,
      warnings: load.kernel ? [...(load.warnings ?? [])] : missing ? [] : [load.error.message],
    };
  },

  processSpace: processAddressSpace,

  runContext: (kernel, run) => new WindowsRunContext(kernel, run),
};
