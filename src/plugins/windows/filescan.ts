import { objectScanPlugin } from './object-scan-plugin.ts';

export const filescan = objectScanPlugin(
  'windows.filescan',
  'Scans physical memory for file objects (pool tag File): files opened, closed and still in memory, by name.',
  (kernel) => kernel.scanFiles(),
);
