import type { StructReader, WindowsKernelContext } from '../../../plugins/api.ts';
import type { Warn } from '../../../plugins/plugin.ts';

/** 0xBEE0BEE0: _HHIVE.Signature of a live hive. */
export const HIVE_SIGNATURE = 0xbee0_bee0;
/** Real systems load a few dozen hives; a longer list is taken as corrupt. */
const MAX_HIVES = 4096;
const NAME_FIELDS = ['FileFullPath', 'FileUserName', 'HiveRootPath'] as const;

/** A _CMHIVE as windows.registry.hivelist reports it. */
export interface HiveObject {
  /** Kernel virtual address of the _CMHIVE. */
  readonly offset: bigint;
  /** FileFullPath, else FileUserName, else HiveRootPath (the first one set, as Volatility 3 picks); null: none. */
  readonly name: string | null;
  readonly view: StructReader;
}

/** The _CMHIVE at `offset` when it carries the hive signature; null otherwise. */
export async function readHive(kernel: WindowsKernelContext, offset: bigint): Promise<HiveObject | null> {
  const view = await kernel.readStruct('_CMHIVE', offset);
  if (!view || view.u32('Hive.Signature') !== HIVE_SIGNATURE) return null;
  let name: string | null = null;
  for (const field of NAME_FIELDS) {
    if (!view.has(field) || view.u16(`${field}.Length`) === 0) continue;
    name = await kernel.readUnicodeString(view.addressOf(field));
    if (name) break;
  }
  return { offset, name, view };
}

/** The hives linked from nt!CmpHiveListHead, in list order; entries without the hive signature are skipped with a warning. */
export async function* listHives(kernel: WindowsKernelContext, warn: Warn): AsyncIterable<HiveObject> {
  const link = kernel.fieldOffset('_CMHIVE', 'HiveList');
  const head = kernel.symbolAddress('CmpHiveListHead');
  for await (const entry of kernel.listEntries(head, { what: 'hive list (CmpHiveListHead)', limit: MAX_HIVES })) {
    const offset = entry - BigInt(link);
    const hive = await readHive(kernel, offset);
    if (hive) yield hive;
    else
      warn({
        code: 'SMEAR',
        message: `hive list entry 0x${offset.toString(16)} is not a readable _CMHIVE (no 0xBEE0BEE0 signature): skipped`,
        address: `0x${offset.toString(16)}`,
      });
  }
}
