import type { ScanService } from '../../engine/scan-service.ts';
import type { MutantObject } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { objectName } from './object-header.ts';
import { scanTypedObjects } from './object-scan.ts';
import type { ScanProgress } from './pool-scan.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { MutantObject };

const MUTANT_KIND = { tag: 'Muta', struct: '_KMUTANT', type: 'Mutant', what: 'mutant' } as const;

/** _KMUTANTs found by a pool-tag scan ('Muta'), as Volatility 3's windows.mutantscan lists them: named or not. */
export async function* scanMutants(kernel: WindowsKernel, scanner: ScanService, warn: Warn, control?: ScanProgress): AsyncGenerator<MutantObject> {
  for await (const o of scanTypedObjects(kernel, scanner, warn, MUTANT_KIND, control)) {
    yield { offset: o.offset, physical: o.physical, name: o.header && (await objectName(kernel, o.header)) };
  }
}
