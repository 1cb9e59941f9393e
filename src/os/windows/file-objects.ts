import { hex } from '../../io/hex.ts';
import type { ScanService } from '../../engine/scan-service.ts';
import type { FileObject } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { scanTypedObjects } from './object-scan.ts';
import type { ScanProgress } from './pool-scan.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { FileObject };

const FILE_KIND = { tag: 'File', struct: '_FILE_OBJECT', type: 'File', what: 'file object' } as const;

/**
 * _FILE_OBJECTs found by a pool-tag scan ('File'), as Volatility 3's windows.filescan lists them: those with a
 * FileName (Length above 0), named by it (without the device's name). A name whose buffer is not in the captured
 * memory costs its row, with an UNREADABLE warning.
 */
export async function* scanFileObjects(kernel: WindowsKernel, scanner: ScanService, warn: Warn, control?: ScanProgress): AsyncGenerator<FileObject> {
  for await (const o of scanTypedObjects(kernel, scanner, warn, FILE_KIND, control)) {
    if (o.view.u16('FileName.Length') === 0) continue;
    const name = await readUnicodeString(kernel.vm, o.view.raw('FileName'));
    if (name === null) {
      warn({ code: 'UNREADABLE', message: 'file objects whose FileName is not in the captured memory skipped', address: hex(o.offset) });
      continue;
    }
    yield { offset: o.offset, physical: o.physical, name };
  }
}
