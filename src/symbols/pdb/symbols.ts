import { corruptPdb, Cursor } from './cursor.ts';
import type { MsfFile } from './msf.ts';

const DBI_HEADER_SIZE = 64;
const NO_STREAM = 0xffff;
const S_PUB32 = 0x110e;
const SECTION_HEADER_SIZE = 40;

export interface DbiInfo {
  /** The age the image's RSDS record carries (the info stream's may be higher after incremental links). */
  readonly age: number;
  /** IMAGE_FILE_MACHINE_* (0x14c x86, 0x8664 x64, 0xaa64 arm64). */
  readonly machine: number;
  readonly globalStream: number;
  readonly publicStream: number;
  readonly symbolRecordStream: number;
  /** Optional debug header: stream of the image's section headers, and of the original ones + OMAP when the image was rewritten. */
  readonly sectionHeaderStream: number;
  readonly sectionHeaderOrigStream: number;
  readonly omapFromSrcStream: number;
}

export interface SectionHeader {
  readonly name: string;
  readonly virtualSize: number;
  readonly virtualAddress: number;
}

export interface PublicSymbol {
  readonly name: string;
  readonly segment: number;
  readonly offset: number;
  readonly flags: number;
  /** The address relative to the image base; undefined when the segment is not one of the image's sections. */
  readonly rva: number | undefined;
}

/** Stream 3 (DBI): its header and the optional debug header that follows the substreams. */
export function parseDbi(bytes: Uint8Array, fileName: string): DbiInfo {
  const c = new Cursor(bytes, fileName, 'DBI stream');
  c.i32(); // version signature (-1)
  c.u32(); // version header
  const age = c.u32();
  const globalStream = c.u16();
  c.u16(); // build number
  const publicStream = c.u16();
  c.u16(); // pdb dll version
  const symbolRecordStream = c.u16();
  c.u16(); // pdb dll rebuild
  const substreams: number[] = [];
  for (let i = 0; i < 5; i++) substreams.push(c.i32()); // module info, section contributions, section map, file info, type server map
  c.u32(); // MFC type server index
  const optionalDbgHeaderSize = c.i32();
  const ecSize = c.i32();
  c.u16(); // flags
  const machine = c.u16();
  c.u32();
  let skip = 0;
  for (const size of [...substreams, ecSize]) {
    if (size < 0) corruptPdb(fileName, `DBI stream has a substream of negative size ${size}`);
    skip += size;
  }
  const streams = new Array<number>(11).fill(NO_STREAM);
  if (optionalDbgHeaderSize > 0 && DBI_HEADER_SIZE + skip + optionalDbgHeaderSize <= bytes.length) {
    const d = new Cursor(bytes, fileName, 'DBI optional debug header', DBI_HEADER_SIZE + skip, DBI_HEADER_SIZE + skip + optionalDbgHeaderSize);
    for (let i = 0; i < 11 && d.remaining >= 2; i++) streams[i] = d.u16();
  }
  return {
    age,
    machine,
    globalStream,
    publicStream,
    symbolRecordStream,
    omapFromSrcStream: streams[4]!,
    sectionHeaderStream: streams[5]!,
    sectionHeaderOrigStream: streams[10]!,
  };
}

/** IMAGE_SECTION_HEADER records, 40 bytes each. */
export function parseSectionHeaders(bytes: Uint8Array, fileName: string): SectionHeader[] {
  const c = new Cursor(bytes, fileName, 'section header stream');
  const out: SectionHeader[] = [];
  while (c.remaining >= SECTION_HEADER_SIZE) {
    const raw = c.take(8);
    const nul = raw.indexOf(0);
    const name = String.fromCharCode(...raw.subarray(0, nul < 0 ? 8 : nul));
    const virtualSize = c.u32();
    const virtualAddress = c.u32();
    c.skip(SECTION_HEADER_SIZE - 16);
    out.push({ name, virtualSize, virtualAddress });
  }
  return out;
}

/** OMAP: sorted (from, to) address pairs mapping the original image's RVAs to the rewritten image's. */
export function parseOmap(bytes: Uint8Array): Uint32Array {
  const words = Math.floor(bytes.length / 8) * 2;
  const out = new Uint32Array(words);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) out[i] = dv.getUint32(i * 4, true);
  return out;
}

/** OMAP lookup as Volatility does it: the last entry at or below `rva`; an entry mapping to 0 drops the address. */
export function omapLookup(omap: Uint32Array, rva: number): number {
  let lo = 0;
  let hi = omap.length / 2 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (omap[mid * 2]! <= rva) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0 || omap[found * 2 + 1] === 0) return 0;
  return omap[found * 2 + 1]! + (rva - omap[found * 2]!);
}

/** The section headers that give public symbols their RVAs, and the OMAP to apply (empty when none). */
export function readSections(msf: MsfFile, dbi: DbiInfo): { sections: SectionHeader[]; omap: Uint32Array } {
  const orig = dbi.sectionHeaderOrigStream !== NO_STREAM ? msf.stream(dbi.sectionHeaderOrigStream) : undefined;
  if (orig) {
    const omapBytes = dbi.omapFromSrcStream !== NO_STREAM ? msf.stream(dbi.omapFromSrcStream) : undefined;
    return { sections: parseSectionHeaders(orig, msf.fileName), omap: parseOmap(omapBytes ?? new Uint8Array(0)) };
  }
  const plain = dbi.sectionHeaderStream !== NO_STREAM ? msf.stream(dbi.sectionHeaderStream) : undefined;
  return { sections: plain ? parseSectionHeaders(plain, msf.fileName) : [], omap: new Uint32Array(0) };
}

/**
 * S_PUB32 records of the symbol record stream (`u16 length, u16 kind, u32 flags, u32 offset, u16 segment, name`).
 * Other record kinds (S_PROCREF, S_GDATA32, S_UDT, …) are skipped; a record running past the stream is CORRUPT.
 */
export function parsePublics(bytes: Uint8Array, fileName: string, sections: readonly SectionHeader[], omap: Uint32Array): PublicSymbol[] {
  const c = new Cursor(bytes, fileName, 'symbol record stream');
  const out: PublicSymbol[] = [];
  while (c.remaining >= 4) {
    const length = c.u16();
    if (length < 2 || length > c.remaining) corruptPdb(fileName, `symbol record at ${c.pos - 2} of ${length} bytes runs past the end of the stream`);
    const r = new Cursor(bytes, fileName, `symbol record at ${c.pos - 2}`, c.pos, c.pos + length);
    c.skip(length);
    if (r.u16() !== S_PUB32 || r.remaining < 10) continue;
    const flags = r.u32();
    const offset = r.u32();
    const segment = r.u16();
    const name = r.cstring();
    const section = segment >= 1 ? sections[segment - 1] : undefined;
    let rva = section ? section.virtualAddress + offset : undefined;
    if (rva !== undefined && omap.length > 0) rva = omapLookup(omap, rva);
    out.push({ name, segment, offset, flags, rva });
  }
  return out;
}
