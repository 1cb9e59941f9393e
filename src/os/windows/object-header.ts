import type { StructView } from '../struct-view.ts';
import { optionalHeaderSizes } from './pool-object.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** InfoMask bits of the optional headers before an _OBJECT_HEADER (Windows 8+): CREATOR_INFO, NAME_INFO. */
const CREATOR_INFO = 0x1;
const NAME_INFO = 0x2;
/** ObTypeIndexTable holds a byte-sized index: at most 256 types. */
const MAX_TYPES = 256;

const cookies = new WeakMap<WindowsKernel, Promise<number | null>>();
const typeTables = new WeakMap<WindowsKernel, Promise<ReadonlyMap<number, string>>>();

/**
 * nt!ObHeaderCookie (Windows 10+); undefined where the kernel has none (TypeIndex stored plain); null when unreadable.
 * A table found in the image has no symbol for it, but its value (symbol-free/header-cookie.ts).
 */
async function headerCookie(kernel: WindowsKernel): Promise<number | null | undefined> {
  if (!kernel.hasSymbol('ObHeaderCookie')) return kernel.discoveredHeaderCookie;
  let cookie = cookies.get(kernel);
  if (!cookie) {
    cookie = kernel.vm.read(kernel.symbolAddress('ObHeaderCookie'), 1).then((b) => (b ? b[0]! : null));
    cookies.set(kernel, cookie);
  }
  return cookie;
}

/**
 * The index in ObTypeIndexTable of the object whose _OBJECT_HEADER is at `headerAddress` and stores `stored` in
 * TypeIndex: Windows 10 encodes it with ObHeaderCookie and byte 1 of the header's address. null when the cookie is
 * unreadable.
 */
export async function decodeTypeIndex(kernel: WindowsKernel, stored: number, headerAddress: bigint): Promise<number | null> {
  const cookie = await headerCookie(kernel);
  if (cookie === undefined) return stored;
  if (cookie === null) return null;
  return (stored ^ cookie ^ Number((headerAddress >> 8n) & 0xffn)) & 0xff;
}

/** The object types by index: ObTypeIndexTable → each _OBJECT_TYPE's Name (unreadable slots left out). Read once per image. */
export function objectTypeNames(kernel: WindowsKernel): Promise<ReadonlyMap<number, string>> {
  let table = typeTables.get(kernel);
  if (!table) {
    table = readTypeTable(kernel);
    typeTables.set(kernel, table);
  }
  return table;
}

/** The index in ObTypeIndexTable of the object type named `name` ('Thread', 'File'); null when the table has none. */
export async function objectTypeIndex(kernel: WindowsKernel, name: string): Promise<number | null> {
  for (const [index, typeName] of await objectTypeNames(kernel)) if (typeName === name) return index;
  return null;
}

async function readTypeTable(kernel: WindowsKernel): Promise<ReadonlyMap<number, string>> {
  const names = new Map<number, string>();
  if (!kernel.hasSymbol('ObTypeIndexTable') || !kernel.layout.has('_OBJECT_TYPE', 'Name')) return names;
  const table = kernel.symbolAddress('ObTypeIndexTable');
  const nameAt = BigInt(kernel.layout.offset('_OBJECT_TYPE', 'Name'));
  for (let i = 0; i < MAX_TYPES; i++) {
    // Read slot by slot: the table's end may be the end of what is mapped.
    const type = await kernel.vm.readU64(table + BigInt(i * 8));
    if (type === null) break;
    // Slot 0 is NULL and slot 1 a marker; the table ends at the first NULL after them.
    if (type === 0n) {
      if (i > 1) break;
      continue;
    }
    const header = await kernel.vm.read(type + nameAt, 16);
    const name = header && (await readUnicodeString(kernel.vm, header));
    if (name) names.set(i, name);
  }
  return names;
}

/**
 * The Name of the object's _OBJECT_HEADER_NAME_INFO (InfoMask bit 0x2; the name header lies before the object
 * header, after CREATOR_INFO when that is present — what ObpInfoMaskToOffset says); null when there is none or it
 * is unreadable. The name only, not its directory's path (as Volatility 3 prints it).
 */
export async function objectName(kernel: WindowsKernel, header: StructView): Promise<string | null> {
  const mask = header.u8('InfoMask');
  if (!(mask & NAME_INFO) || !kernel.layout.has('_OBJECT_HEADER_NAME_INFO', 'Name')) return null;
  const [creatorSize = 0, nameInfoSize = 0] = optionalHeaderSizes(kernel.layout);
  const nameInfo = header.address - BigInt(nameInfoSize + (mask & CREATOR_INFO ? creatorSize : 0));
  const name = await kernel.vm.read(nameInfo + BigInt(kernel.layout.offset('_OBJECT_HEADER_NAME_INFO', 'Name')), 16);
  return name && readUnicodeString(kernel.vm, name);
}
