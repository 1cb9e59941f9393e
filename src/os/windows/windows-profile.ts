import { hex } from '../../io/hex.ts';
import { MissingSymbolsError } from '../../symbols/missing-symbols.ts';
import { pdbKey } from '../../symbols/symbol-table.ts';
import type { OsProfile } from '../os-profile.ts';
import { confirmDiscovery, discoverWindows, type WindowsDiscovery } from './discovery.ts';
import type { KernelImage } from './kernel-locator.ts';
import { readSharedUserData, windowsVersionLabel } from './kuser-shared-data.ts';
import { processAddressSpace } from './process-list.ts';
import { WindowsRunContext } from './windows-context.ts';
import { WindowsKernel } from './windows-kernel.ts';

/** A discovery the image confirmed, with the kernel image it re-read. */
interface FoundWindows {
  readonly discovery: WindowsDiscovery;
  readonly image: KernelImage;
}

const tableKey = (d: WindowsDiscovery) => pdbKey(d.pdbName, d.guid, d.age);

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

  async loadKernel(env, { discovery, image }) {
    const key = tableKey(discovery);
    const table = await env.symbols.get(key);
    if (!table) {
      const missing = { kind: 'pdb', pdbName: discovery.pdbName, guid: discovery.guid, age: discovery.age } as const;
      const reason = `needs the symbol table ${key}: drop it (or a symbol pack) on the page, or pass -s DIR`;
      return { kernel: null, error: new MissingSymbolsError(missing, env.symbols.describe()), reason };
    }
    const kernel = new WindowsKernel(env.physical, env.wasm, discovery, image, table, key);
    const shared = await readSharedUserData(kernel);
    return { kernel, osVersion: shared ? windowsVersionLabel(shared) : 'Windows x64' };
  },

  summary({ discovery: d }, load) {
    // A missing PDB is asked for through missingSymbols; a table that cannot be used says why among the warnings.
    const missing = load.kernel === null && load.error instanceof MissingSymbolsError ? load.error.missing : undefined;
    return {
      osVersion: load.kernel ? load.osVersion : 'Windows x64 (symbols needed for the exact version)',
      dtb: hex(d.dtb),
      kernelBase: d.kernelBase,
      symbols: load.kernel ? load.kernel.symbols.origin : `${missing ? 'missing' : 'unusable'}: ${tableKey(d)}`,
      missingSymbols: missing,
      warnings: load.kernel || missing ? [] : [load.error.message],
    };
  },

  processSpace: processAddressSpace,

  runContext: (kernel, run) => new WindowsRunContext(kernel, run),
};
