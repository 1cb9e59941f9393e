import type { ScanService } from '../../engine/scan-service.ts';
import type { DriverObject } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { objectName } from './object-header.ts';
import { scanTypedObjects, type TypedObjectKind } from './object-scan.ts';
import type { ScanProgress } from './pool-scan.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { DriverObject };

/** 'Driv' allocations (Windows 8+; 'Dri\xf6' before) whose object header says Driver. */
const DRIVER_KIND: TypedObjectKind = { tag: 'Driv', struct: '_DRIVER_OBJECT', type: 'Driver', what: 'driver object' };

/**
 * Pool-tag scan of physical memory for _DRIVER_OBJECTs, carved and type-checked as Volatility 3's
 * windows.driverscan does: drivers whose module was unlinked or unloaded too, each once. Names that are unreadable
 * (an object without a name header, a paged-out extension) are null.
 */
export async function* scanDriverObjects(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<DriverObject> {
  for await (const { view, offset, physical, header } of scanTypedObjects(kernel, scanner, warn, DRIVER_KIND, control)) {
    yield {
      offset,
      physical,
      start: view.u64('DriverStart'),
      size: view.u32('DriverSize'),
      serviceKey: await serviceKeyName(kernel, view.u64('DriverExtension')),
      driverName: header && (await objectName(kernel, header)),
      name: await readUnicodeString(kernel.vm, view.raw('DriverName')),
    };
  }
}

/** DriverExtension → _DRIVER_EXTENSION.ServiceKeyName; null when there is none or it is unreadable. */
async function serviceKeyName(kernel: WindowsKernel, extension: bigint): Promise<string | null> {
  if (extension === 0n) return null;
  const header = await kernel.vm.read(extension + BigInt(kernel.layout.offset('_DRIVER_EXTENSION', 'ServiceKeyName')), 16);
  return header && readUnicodeString(kernel.vm, header);
}
