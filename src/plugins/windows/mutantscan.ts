import { objectScanPlugin } from './object-scan-plugin.ts';

export const mutantscan = objectScanPlugin(
  'windows.mutantscan',
  'Scans physical memory for mutexes (mutant objects, pool tag Muta), named ones by name: malware marks its presence with them.',
  (kernel) => kernel.scanMutants(),
);
