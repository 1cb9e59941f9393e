import type { Cell, Column, LinuxKernelContext } from '../api.ts';

/** A hooked pointer as Volatility 3's hook checks show it: the address, then its module and symbol. */
export const CODE_OWNER_COLUMNS: readonly Column[] = [
  { name: 'Address', type: 'hex', address: 'kernel' },
  { name: 'Module', type: 'str' },
  { name: 'Symbol', type: 'str' },
];

/** The address with its owner: '__kernel__' or a module's name (UNKNOWN for neither), the symbol starting there (N/A). */
export async function codeOwnerCells(linux: LinuxKernelContext, address: bigint): Promise<Cell[]> {
  const owner = await linux.codeOwner(address);
  return [address, owner.module ?? 'UNKNOWN', owner.symbol ?? 'N/A'];
}
