import { modulePlugin } from './module-columns.ts';

export const modscan = modulePlugin(
  'windows.modscan',
  'Scans physical memory for kernel module entries (pool tag MmLd): drivers unlinked from the module list and unloaded ones too.',
  (kernel) => kernel.scanKernelModules(),
);
