import { corruptPdb, Cursor } from './cursor.ts';

export interface PdbInfo {
  /** 20000404 (VC70) for every PDB written this century. */
  readonly version: number;
  /** Seconds since 1970 when the PDB was written (older toolchains); not part of the match. */
  readonly signature: number;
  readonly age: number;
  /** 32 upper-case hex digits in the order memscope writes an RSDS GUID (pe-header.ts parseRsds). */
  readonly guid: string;
  /** Named streams ("/names", "/LinkInfo", "/src/headerblock", …) → stream index. */
  readonly namedStreams: ReadonlyMap<string, number>;
}

/** At most this many entries in the named stream map; real PDBs have under a hundred. */
const MAX_NAMED_STREAMS = 1 << 16;

/** Stream 1: version, signature, age, GUID and the named stream map (a serialized hash table). */
export function parseInfoStream(bytes: Uint8Array, fileName: string): PdbInfo {
  const c = new Cursor(bytes, fileName, 'PDB info stream');
  const version = c.u32();
  const signature = c.u32();
  const age = c.u32();
  const g = c.take(16);
  const hex = (v: number, width: number) => v.toString(16).padStart(width, '0');
  const gv = new DataView(g.buffer, g.byteOffset, 16);
  let guid = hex(gv.getUint32(0, true), 8) + hex(gv.getUint16(4, true), 4) + hex(gv.getUint16(6, true), 4);
  for (let i = 8; i < 16; i++) guid += hex(g[i]!, 2);
  const namedStreams = new Map<string, number>();
  if (version >= 20000404 && c.remaining >= 4) {
    const stringBytes = c.u32();
    const strings = new Cursor(c.take(stringBytes), fileName, 'PDB info stream names');
    const size = c.u32();
    const capacity = c.u32();
    if (size > capacity || capacity > MAX_NAMED_STREAMS)
      corruptPdb(fileName, `named stream map of ${size} entries (capacity ${capacity}) is implausible`);
    const presentWords = c.u32();
    c.skip(presentWords * 4);
    const deletedWords = c.u32();
    c.skip(deletedWords * 4);
    for (let i = 0; i < size; i++) {
      const nameOffset = c.u32();
      const stream = c.u32();
      if (nameOffset >= strings.end) corruptPdb(fileName, `named stream ${i} has its name at ${nameOffset}, past the names`);
      strings.pos = nameOffset;
      namedStreams.set(strings.cstring(), stream);
    }
  }
  return { version, signature, age, guid: guid.toUpperCase(), namedStreams };
}
