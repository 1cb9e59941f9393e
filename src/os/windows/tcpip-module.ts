import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { MissingSymbolsError } from '../../symbols/missing-symbols.ts';
import type { SymbolStore } from '../../symbols/symbol-store.ts';
import { pdbKey, type SymbolTable } from '../../symbols/symbol-table.ts';
import { readImagePdb } from './image-pdb.ts';
import { loadedKernelModules } from './kernel-modules.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** tcpip.sys as loaded: where its image is and its public symbols (RVAs of its globals). */
export interface TcpipModule {
  readonly base: bigint;
  readonly symbols: SymbolTable;
}

const MODULE_NAME = 'tcpip.sys';
/** The globals windows.netstat starts from (newer builds: the compartment sets; before 10 1607: the pools themselves). */
const PARTITION_SYMBOLS = ['PartitionTable', 'PartitionCount'];

/**
 * Finds tcpip.sys in the loaded-module list, reads the PDB its CodeView record names and takes that table from the
 * session's symbol store. No module, no readable record → UNSUPPORTED; the table not in the store →
 * SYMBOLS_MISSING naming tcpip.pdb's GUID and age (as for the kernel's own table); a table without the globals →
 * SYMBOLS_INVALID.
 */
export async function loadTcpipModule(kernel: WindowsKernel, store: SymbolStore, warn: Warn): Promise<TcpipModule> {
  let base: bigint | null = null;
  for await (const m of loadedKernelModules(kernel, warn)) {
    if (m.name?.toLowerCase() === MODULE_NAME) {
      base = m.base;
      break;
    }
  }
  if (base === null) throw new MemscopeError('UNSUPPORTED', `${MODULE_NAME} is not in the loaded-module list (PsLoadedModuleList)`);
  const image = await readImagePdb(kernel.vm, base);
  if (!image) throw new MemscopeError('UNSUPPORTED', `${MODULE_NAME} at ${hex(base)}: no readable PE header with a CodeView (RSDS) record`);
  const { pdbName, guid, age } = image.pdb;
  const symbols = await store.get(pdbKey(pdbName, guid, age));
  if (!symbols) throw new MissingSymbolsError({ kind: 'pdb', pdbName, guid, age }, store.describe() || 'no symbol store');
  const lacking = [
    ...PARTITION_SYMBOLS,
    ...(symbols.symbol('UdpPortPool') === undefined ? ['UdpCompartmentSet', 'TcpCompartmentSet'] : ['TcpPortPool']),
  ].filter((name) => symbols.symbol(name) === undefined);
  if (lacking.length > 0) throw new MemscopeError('SYMBOLS_INVALID', `${pdbKey(pdbName, guid, age)} has no ${lacking.join(', ')}`);
  return { base, symbols };
}
