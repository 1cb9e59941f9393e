import { hex } from '../../io/hex.ts';
import type { ObjectDirectoryEntry } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { decodeTypeIndex, objectName, objectTypeNames } from './object-header.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { ObjectDirectoryEntry };

/** _OBJECT_DIRECTORY.HashBuckets: 37 chains of _OBJECT_DIRECTORY_ENTRY (ChainLink, Object). */
const HASH_BUCKETS = 37;
/** More entries than any object directory holds (\Sessions\0\BaseNamedObjects has thousands); beyond: smear or a loop. */
export const MAX_DIRECTORY_ENTRIES = 65536;

/**
 * The entries of an object directory (the _OBJECT_DIRECTORY body at `directory`; the root, ObpRootDirectoryObject,
 * when omitted) in bucket then chain order: each entry's object with its type (the object header's TypeIndex,
 * decoded) and name (its _OBJECT_HEADER_NAME_INFO). Every chain is walked once with one visited set for the whole
 * directory and at most MAX_DIRECTORY_ENTRIES entries (SMEAR where a chain loops back, LIMIT beyond); an unreadable
 * entry ends its chain (UNREADABLE); an entry whose object is unreadable, of no known type or unnamed is skipped (SMEAR).
 */
export async function* objectDirectoryEntries(
  kernel: WindowsKernel,
  directory: bigint | undefined,
  warn: Warn,
): AsyncGenerator<ObjectDirectoryEntry> {
  const at = directory ?? (await rootDirectory(kernel, warn));
  if (at === null) return;
  const bucketsAt = at + BigInt(kernel.layout.offset('_OBJECT_DIRECTORY', 'HashBuckets'));
  const buckets = await kernel.vm.read(bucketsAt, HASH_BUCKETS * 8);
  if (!buckets) {
    warn({ code: 'UNREADABLE', message: `object directory at ${hex(at)} is not in the captured memory`, address: hex(at) });
    return;
  }
  const heads = new DataView(buckets.buffer, buckets.byteOffset, buckets.byteLength);
  const seen = new Set<bigint>();
  const reader = new EntryReader(kernel, at, warn);
  for (let bucket = 0; bucket < HASH_BUCKETS; bucket++) {
    let link = heads.getBigUint64(bucket * 8, true);
    while (link !== 0n) {
      if (seen.has(link)) {
        warn({ code: 'SMEAR', message: `object directory at ${hex(at)}: hash bucket ${bucket}'s chain loops back; walked once`, address: hex(link) });
        break;
      }
      if (seen.size === MAX_DIRECTORY_ENTRIES) {
        warn({
          code: 'LIMIT',
          message: `object directory at ${hex(at)}: more than ${MAX_DIRECTORY_ENTRIES} entries; the rest not read`,
          address: hex(at),
        });
        return;
      }
      seen.add(link);
      const entry = await kernel.readStruct('_OBJECT_DIRECTORY_ENTRY', link);
      if (!entry) {
        warn({
          code: 'UNREADABLE',
          message: `object directory at ${hex(at)}: an entry of hash bucket ${bucket} is not in the captured memory; its chain ends there`,
          address: hex(link),
        });
        break;
      }
      const found = await reader.read(entry.u64('Object'));
      if (found) yield found;
      link = entry.u64('ChainLink');
    }
  }
}

/** ObpRootDirectoryObject's directory, the root of the namespace; null (with a warning) when there is none readable. */
async function rootDirectory(kernel: WindowsKernel, warn: Warn): Promise<bigint | null> {
  if (!kernel.hasSymbol('ObpRootDirectoryObject')) {
    warn({ code: 'UNSUPPORTED', message: 'the symbol table has no ObpRootDirectoryObject: the object namespace cannot be walked' });
    return null;
  }
  const global = kernel.symbolAddress('ObpRootDirectoryObject');
  const root = await kernel.readPointer(global);
  if (!root)
    warn({
      code: 'UNREADABLE',
      message: 'ObpRootDirectoryObject is unreadable or NULL: the object namespace cannot be walked',
      address: hex(global),
    });
  return root || null;
}

/** An entry's object: its header's type and name; one SMEAR warning per entry that gives none. */
class EntryReader {
  private readonly bodyOffset: bigint;

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly directory: bigint,
    private readonly warn: Warn,
  ) {
    this.bodyOffset = BigInt(kernel.layout.offset('_OBJECT_HEADER', 'Body'));
  }

  async read(object: bigint): Promise<ObjectDirectoryEntry | null> {
    const headerAddress = object - this.bodyOffset;
    const header = object === 0n ? null : await this.kernel.readStruct('_OBJECT_HEADER', headerAddress);
    const index = header && (await decodeTypeIndex(this.kernel, header.u8('TypeIndex'), headerAddress));
    const type = index === null ? undefined : (await objectTypeNames(this.kernel)).get(index);
    const name = header && type !== undefined ? await objectName(this.kernel, header) : null;
    if (type === undefined || name === null) {
      this.warn({
        code: 'SMEAR',
        message: `object directory at ${hex(this.directory)}: entries whose object is unreadable, of no known type or unnamed skipped`,
        address: hex(object),
      });
      return null;
    }
    return { name, type, object };
  }
}
