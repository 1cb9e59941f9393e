import type { Cell, ColumnType } from '../plugins/plugin.ts';

/** A cell as text, the way Volatility 3's text renderers show it. */
export function formatCell(value: Cell, type: ColumnType): string {
  if (value === null) return 'N/A';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (type === 'hex' && typeof value !== 'string') return formatHex(value);
  return String(value);
}

function formatHex(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return String(value);
  const n = BigInt(value);
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}
