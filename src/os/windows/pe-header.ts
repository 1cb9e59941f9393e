/** The parts of a PE32+ header that identify a kernel image and its PDB. */
export interface PeHeader {
  readonly machine: number;
  readonly timeDateStamp: number;
  readonly sizeOfImage: number;
  readonly majorOperatingSystemVersion: number;
  readonly minorOperatingSystemVersion: number;
  /** RVA and size of the debug directory (data directory 6), 0 when absent. */
  readonly debugDirectoryRva: number;
  readonly debugDirectorySize: number;
}

export interface CodeViewRecord {
  readonly pdbName: string;
  /** GUID as Volatility prints it: Data1-Data2-Data3 little-endian fields, Data4 bytes in order; upper-case, no dashes. */
  readonly guid: string;
  readonly age: number;
}

const IMAGE_DEBUG_TYPE_CODEVIEW = 2;
const PE32_PLUS_MAGIC = 0x20b;

/** Parses the DOS + NT headers from the first page of an image; null when it is not a PE32+ image. */
export function parsePeHeader(page: Uint8Array): PeHeader | null {
  if (page.length < 0x200 || page[0] !== 0x4d || page[1] !== 0x5a) return null;
  const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const nt = dv.getUint32(0x3c, true);
  if (nt < 0x40 || nt + 0x18 + 0xf0 > page.length) return null;
  if (dv.getUint32(nt, true) !== 0x00004550) return null;
  const opt = nt + 0x18;
  if (dv.getUint16(opt, true) !== PE32_PLUS_MAGIC) return null;
  const numberOfRvaAndSizes = dv.getUint32(opt + 0x6c, true);
  const hasDebug = numberOfRvaAndSizes > 6;
  return {
    machine: dv.getUint16(nt + 4, true),
    timeDateStamp: dv.getUint32(nt + 8, true),
    majorOperatingSystemVersion: dv.getUint16(opt + 0x28, true),
    minorOperatingSystemVersion: dv.getUint16(opt + 0x2a, true),
    sizeOfImage: dv.getUint32(opt + 0x38, true),
    debugDirectoryRva: hasDebug ? dv.getUint32(opt + 0x70 + 6 * 8, true) : 0,
    debugDirectorySize: hasDebug ? dv.getUint32(opt + 0x70 + 6 * 8 + 4, true) : 0,
  };
}

export interface DebugDirectoryEntry {
  readonly type: number;
  readonly sizeOfData: number;
  readonly addressOfRawData: number;
}

/** Entries of the debug directory (28 bytes each). */
export function parseDebugDirectory(bytes: Uint8Array): DebugDirectoryEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: DebugDirectoryEntry[] = [];
  for (let o = 0; o + 28 <= bytes.length && out.length < 32; o += 28) {
    out.push({ type: dv.getUint32(o + 12, true), sizeOfData: dv.getUint32(o + 16, true), addressOfRawData: dv.getUint32(o + 20, true) });
  }
  return out;
}

export function findCodeViewEntry(entries: readonly DebugDirectoryEntry[]): DebugDirectoryEntry | undefined {
  return entries.find((e) => e.type === IMAGE_DEBUG_TYPE_CODEVIEW && e.sizeOfData >= 24 && e.sizeOfData < 4096);
}

/** Parses an RSDS CodeView record; null if the signature or name is wrong. */
export function parseRsds(bytes: Uint8Array): CodeViewRecord | null {
  if (bytes.length < 25 || bytes[0] !== 0x52 || bytes[1] !== 0x53 || bytes[2] !== 0x44 || bytes[3] !== 0x53) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hex = (v: number, width: number) => v.toString(16).padStart(width, '0');
  let guid = hex(dv.getUint32(4, true), 8) + hex(dv.getUint16(8, true), 4) + hex(dv.getUint16(10, true), 4);
  for (let i = 12; i < 20; i++) guid += hex(bytes[i]!, 2);
  const age = dv.getUint32(20, true);
  let end = 24;
  while (end < bytes.length && bytes[end] !== 0) end++;
  const pdbName = new TextDecoder('latin1').decode(bytes.subarray(24, end));
  if (!/^[\x20-\x7e]{1,255}$/.test(pdbName)) return null;
  return { pdbName, guid: guid.toUpperCase(), age };
}

/** One entry of a PE image's section table. */
export interface PeSection {
  /** ".text", ".data" (up to 8 characters). */
  readonly name: string;
  readonly rva: number;
  /** VirtualSize: the section's size in memory. */
  readonly size: number;
  /** IMAGE_SCN_* bits (0x80000000 writable, 0x20000000 executable, ...). */
  readonly characteristics: number;
}

export const IMAGE_SCN_MEM_WRITE = 0x8000_0000;
/** No image has more sections than this that memscope reads (the PE format allows 96). */
const MAX_SECTIONS = 96;
const SECTION_HEADER_SIZE = 40;

/** The section table that follows the optional header, from the first page of an image; null when it is not a PE32+ image. */
export function parseSections(page: Uint8Array): PeSection[] | null {
  if (!parsePeHeader(page)) return null;
  const dv = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const nt = dv.getUint32(0x3c, true);
  const count = Math.min(dv.getUint16(nt + 6, true), MAX_SECTIONS);
  const first = nt + 0x18 + dv.getUint16(nt + 0x14, true);
  const sections: PeSection[] = [];
  for (let i = 0; i < count && first + (i + 1) * SECTION_HEADER_SIZE <= page.length; i++) {
    const at = first + i * SECTION_HEADER_SIZE;
    const name = new TextDecoder('latin1').decode(page.subarray(at, at + 8)).replace(/\0.*$/s, '');
    sections.push({ name, size: dv.getUint32(at + 8, true), rva: dv.getUint32(at + 12, true), characteristics: dv.getUint32(at + 36, true) });
  }
  return sections;
}
