import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { VirtualMemory } from '../../plugins/api/memory.ts';
import type { SymbolStore } from '../../symbols/symbol-store.ts';
import { parsePdbKey, type SymbolTable } from '../../symbols/symbol-table.ts';
import { KERNEL_PDB_NAMES } from './kernel-locator.ts';

/** Kernel symbol tables tried against memory, at most (each is parsed: a symbol pack may hold thousands). */
const MAX_TABLE_CANDIDATES = 32;
const SYSTEM_PID = 4n;
const SYSTEM_NAME = 'System';
/** _LIST_ENTRY on x64: Flink, Blink. */
const FLINK = 0;
const BLINK = 8;

export interface MatchedTable {
  readonly key: string;
  readonly table: SymbolTable;
}

/** The one warning a kernel whose symbols were chosen by layout earns the image. */
export function layoutMatchWarning(key: string): string {
  return (
    `the kernel's debug directory (CodeView record) is unreadable, so its PDB identity is unknown: ` +
    `symbols chosen by layout match: ${key} (PsActiveProcessHead leads to System, PID 4)`
  );
}

/**
 * Of the kernel symbol tables the store lists (at most MAX_TABLE_CANDIDATES), the first whose layout fits the kernel
 * mapped at `base`: its PsActiveProcessHead is a LIST_ENTRY linked both ways to the _EPROCESS of System (PID 4).
 * SYMBOLS_MISSING naming what was tried when none fits. `rejected`: keys that did not fit before (not parsed again;
 * the keys that do not fit now are added).
 */
export async function matchKernelTable(
  store: SymbolStore,
  vm: Pick<VirtualMemory, 'read'>,
  base: bigint,
  rejected: Set<string>,
): Promise<MatchedTable> {
  const listed = ((await store.keys?.()) ?? []).filter((k) => KERNEL_PDB_NAMES.has(parsePdbKey(k)?.pdbName.toLowerCase() ?? ''));
  const kernels = [...new Set(listed)].sort();
  const candidates = kernels.slice(0, MAX_TABLE_CANDIDATES);
  for (const key of candidates) {
    if (rejected.has(key)) continue;
    const table = await store.get(key).catch((e: unknown) => {
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
      return undefined;
    });
    if (table && (await fitsKernel(table, vm, base))) return { key, table };
    rejected.add(key);
  }
  const where = store.describe() || 'no symbol source';
  const skipped = kernels.length > candidates.length ? ` (${kernels.length - candidates.length} more not tried)` : '';
  const tried = candidates.length
    ? `none of the kernel symbol tables tried fits memory: ${candidates.join(', ')}${skipped}`
    : 'no kernel symbol table to try';
  throw new MemscopeError(
    'SYMBOLS_MISSING',
    `the kernel's debug directory is unreadable, so its PDB identity is unknown, and ${tried} (${where}): ` +
      "add this build's kernel ISF (drop it or a symbol pack on the page, or pass -s DIR)",
  );
}

/** Whether `table`'s PsActiveProcessHead, at its RVA from `base`, is linked both ways to an _EPROCESS named System with PID 4. */
async function fitsKernel(table: SymbolTable, vm: Pick<VirtualMemory, 'read'>, base: bigint): Promise<boolean> {
  const rva = table.symbol('PsActiveProcessHead');
  const fields = table.struct('_EPROCESS')?.fields;
  const links = fields?.get('ActiveProcessLinks')?.offset;
  const name = fields?.get('ImageFileName')?.offset;
  const pid = fields?.get('UniqueProcessId')?.offset;
  if (rva === undefined || links === undefined || name === undefined || pid === undefined) return false;
  const head = base + rva;
  const [flink, blink] = (await readPointers(vm, head)) ?? [];
  if (flink === undefined || blink === undefined) return false;
  const [, back] = (await readPointers(vm, flink)) ?? [];
  const [forward] = (await readPointers(vm, blink)) ?? [];
  if (back !== head || forward !== head) return false;
  const eprocess = flink - BigInt(links);
  const [nameBytes, pidBytes] = await Promise.all([vm.read(eprocess + BigInt(name), SYSTEM_NAME.length + 1), vm.read(eprocess + BigInt(pid), 8)]);
  if (!nameBytes || !pidBytes) return false;
  const pidValue = new DataView(pidBytes.buffer, pidBytes.byteOffset, 8).getBigUint64(0, true);
  return new TextDecoder('latin1').decode(nameBytes) === `${SYSTEM_NAME}\0` && pidValue === SYSTEM_PID;
}

/** The Flink and Blink of the LIST_ENTRY at `va`, or null when unreadable. */
async function readPointers(vm: Pick<VirtualMemory, 'read'>, va: bigint): Promise<[bigint, bigint] | null> {
  const bytes = await vm.read(va, 16);
  if (!bytes) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return [dv.getBigUint64(FLINK, true), dv.getBigUint64(BLINK, true)];
}
