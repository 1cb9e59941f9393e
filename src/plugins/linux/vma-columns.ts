import type { Column } from '../api.ts';

/** A process's mapping as the per-mapping plugins (proc.Maps, malfind, elfs) begin their rows, in Volatility 3's names. */
export const VMA_COLUMNS: readonly Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'Process', type: 'str' },
  { name: 'Start', type: 'hex', address: 'process' },
  { name: 'End', type: 'hex', address: 'process' },
];
