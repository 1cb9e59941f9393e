import { isMemscopeError } from '../../errors.ts';
import { corruptPdb, Cursor, readCount, readNumeric } from './cursor.ts';

/** Leaf kinds of cvinfo.h this reader interprets; every other kind is kept as `other` and skipped. */
export const LF = {
  MODIFIER: 0x1001,
  POINTER: 0x1002,
  PROCEDURE: 0x1008,
  MFUNCTION: 0x1009,
  FIELDLIST: 0x1203,
  BITFIELD: 0x1205,
  BCLASS: 0x1400,
  VBCLASS: 0x1401,
  IVBCLASS: 0x1402,
  INDEX: 0x1404,
  VFUNCTAB: 0x1409,
  FRIENDCLS: 0x140b,
  VFUNCOFF: 0x140c,
  ENUMERATE: 0x1502,
  ARRAY: 0x1503,
  CLASS: 0x1504,
  STRUCTURE: 0x1505,
  UNION: 0x1506,
  ENUM: 0x1507,
  FRIENDFCN: 0x150c,
  MEMBER: 0x150d,
  STMEMBER: 0x150e,
  METHOD: 0x150f,
  NESTTYPE: 0x1510,
  ONEMETHOD: 0x1511,
  NESTTYPEEX: 0x1512,
  MEMBERMODIFY: 0x1513,
  INTERFACE: 0x1519,
  STRING_ID: 0x1605,
  CLASS2: 0x1608,
  STRUCTURE2: 0x1609,
} as const;

/** Property bits of a class, structure, union or enum (CV_prop_t). */
const PROP_FWDREF = 0x80;
const PROP_HAS_UNIQUE_NAME = 0x200;
/** The first type index that is a record; lower ones are simple (primitive) types. */
export const FIRST_RECORD_INDEX = 0x1000;
const TPI_HEADER_SIZE = 56;

export interface Member {
  readonly name: string;
  readonly type: number;
  readonly offset: number;
}

export interface Enumerate {
  readonly name: string;
  readonly value: number | bigint;
}

export type TypeRecord =
  | {
      readonly leaf: 'struct' | 'class' | 'union' | 'interface';
      readonly name: string;
      readonly uniqueName: string | undefined;
      readonly size: number;
      readonly fieldList: number;
      readonly forwardRef: boolean;
    }
  | {
      readonly leaf: 'enum';
      readonly name: string;
      readonly uniqueName: string | undefined;
      readonly underlying: number;
      readonly fieldList: number;
      readonly forwardRef: boolean;
    }
  | {
      readonly leaf: 'fieldlist';
      readonly members: readonly Member[];
      readonly enumerates: readonly Enumerate[];
      readonly bases: readonly { readonly type: number; readonly offset: number }[];
      /** LF_INDEX: the list goes on in this record. */
      readonly continuation: number | undefined;
    }
  | { readonly leaf: 'pointer'; readonly referent: number; readonly size: number }
  | { readonly leaf: 'modifier'; readonly referent: number }
  | { readonly leaf: 'array'; readonly element: number; readonly size: number }
  | { readonly leaf: 'bitfield'; readonly type: number; readonly length: number; readonly position: number }
  | { readonly leaf: 'function' }
  | { readonly leaf: 'string'; readonly value: string }
  | { readonly leaf: 'other'; readonly kind: number };

export type UdtRecord = Extract<TypeRecord, { leaf: 'struct' | 'class' | 'union' | 'interface' | 'enum' }>;

/** A parsed TPI or IPI stream: records by type index, and definitions by unique name and by name. */
export class TypeStream {
  private readonly byUnique = new Map<string, number>();
  private readonly byName = new Map<string, number>();

  constructor(
    readonly begin: number,
    readonly records: readonly TypeRecord[],
  ) {
    records.forEach((r, i) => {
      if ((r.leaf === 'struct' || r.leaf === 'class' || r.leaf === 'union' || r.leaf === 'interface' || r.leaf === 'enum') && !r.forwardRef) {
        if (r.uniqueName !== undefined) this.byUnique.set(r.uniqueName, begin + i);
        this.byName.set(r.name, begin + i);
      }
    });
  }

  get end(): number {
    return this.begin + this.records.length;
  }

  get(index: number): TypeRecord | undefined {
    return index >= this.begin ? this.records[index - this.begin] : undefined;
  }

  /** A forward reference's definition (by unique name, else by name); the index itself for anything else. */
  resolve(index: number): number {
    const r = this.get(index);
    if (!r || !('forwardRef' in r) || !r.forwardRef) return index;
    return (r.uniqueName !== undefined ? this.byUnique.get(r.uniqueName) : undefined) ?? this.byName.get(r.name) ?? index;
  }

  /** The members, enumerates and base classes of a field list, following LF_INDEX continuations (each once). */
  fieldList(index: number): { members: Member[]; enumerates: Enumerate[]; bases: { type: number; offset: number }[] } {
    const out = { members: [] as Member[], enumerates: [] as Enumerate[], bases: [] as { type: number; offset: number }[] };
    const seen = new Set<number>();
    for (let at: number | undefined = index; at !== undefined && !seen.has(at);) {
      seen.add(at);
      const r = this.get(at);
      if (r?.leaf !== 'fieldlist') break;
      out.members.push(...r.members);
      out.enumerates.push(...r.enumerates);
      out.bases.push(...r.bases);
      at = r.continuation;
    }
    return out;
  }
}

/**
 * Stream 2 (TPI) or 4 (IPI): a 56-byte header, then records of `u16 length, u16 kind, data`. A record whose
 * length runs past the stream is CORRUPT; a record of a kind this reader does not need, or whose inside does not
 * parse, is kept as `other` and skipped.
 */
export function parseTypeStream(bytes: Uint8Array, fileName: string, what: string): TypeStream {
  const h = new Cursor(bytes, fileName, `${what} header`);
  h.u32(); // version (20040203 for VC80+)
  const headerSize = h.u32();
  const begin = h.u32();
  const end = h.u32();
  const recordBytes = h.u32();
  if (headerSize < TPI_HEADER_SIZE || headerSize > bytes.length) corruptPdb(fileName, `${what} header size ${headerSize} is out of bounds`);
  if (begin < FIRST_RECORD_INDEX || end < begin)
    corruptPdb(fileName, `${what} type indices 0x${begin.toString(16)}..0x${end.toString(16)} are out of order`);
  if (recordBytes > bytes.length - headerSize)
    corruptPdb(fileName, `${what} claims ${recordBytes} bytes of records, more than the stream's ${bytes.length - headerSize}`);
  // Each record takes at least 4 bytes: a count beyond that is a lie, and nothing is allocated for it.
  if (end - begin > recordBytes / 4) corruptPdb(fileName, `${what} claims ${end - begin} records in ${recordBytes} bytes`);
  const records: TypeRecord[] = [];
  const c = new Cursor(bytes, fileName, what, headerSize, headerSize + recordBytes);
  while (c.remaining > 0) {
    const index = begin + records.length;
    const where = `${what} record 0x${index.toString(16)}`;
    if (c.remaining < 4) corruptPdb(fileName, `${where} is cut off at the end of the stream`);
    const length = c.u16();
    if (length < 2 || length > c.remaining) corruptPdb(fileName, `${where} of ${length} bytes runs past the end of the stream`);
    const start = c.pos;
    c.skip(length);
    records.push(parseRecord(new Cursor(bytes, fileName, where, start, start + length)));
  }
  return new TypeStream(begin, records);
}

function parseRecord(c: Cursor): TypeRecord {
  const kind = c.u16();
  try {
    return parseKnown(c, kind) ?? { leaf: 'other', kind };
  } catch (e) {
    if (isMemscopeError(e) && e.code === 'CORRUPT') return { leaf: 'other', kind };
    throw e;
  }
}

function parseKnown(c: Cursor, kind: number): TypeRecord | undefined {
  switch (kind) {
    case LF.CLASS:
    case LF.STRUCTURE:
    case LF.INTERFACE:
    case LF.CLASS2:
    case LF.STRUCTURE2: {
      const wide = kind === LF.CLASS2 || kind === LF.STRUCTURE2;
      if (!wide) c.u16(); // member count
      const prop = wide ? c.u32() : c.u16();
      const fieldList = c.u32();
      c.u32(); // derived
      c.u32(); // vtable shape
      if (wide) c.u16(); // member count
      const size = readCount(c, 'size');
      const name = c.cstring();
      const uniqueName = prop & PROP_HAS_UNIQUE_NAME ? c.cstring() : undefined;
      const leaf = kind === LF.INTERFACE ? 'interface' : kind === LF.CLASS || kind === LF.CLASS2 ? 'class' : 'struct';
      return { leaf, name, uniqueName, size, fieldList, forwardRef: (prop & PROP_FWDREF) !== 0 };
    }
    case LF.UNION: {
      c.u16();
      const prop = c.u16();
      const fieldList = c.u32();
      const size = readCount(c, 'size');
      const name = c.cstring();
      const uniqueName = prop & PROP_HAS_UNIQUE_NAME ? c.cstring() : undefined;
      return { leaf: 'union', name, uniqueName, size, fieldList, forwardRef: (prop & PROP_FWDREF) !== 0 };
    }
    case LF.ENUM: {
      c.u16();
      const prop = c.u16();
      const underlying = c.u32();
      const fieldList = c.u32();
      const name = c.cstring();
      const uniqueName = prop & PROP_HAS_UNIQUE_NAME ? c.cstring() : undefined;
      return { leaf: 'enum', name, uniqueName, underlying, fieldList, forwardRef: (prop & PROP_FWDREF) !== 0 };
    }
    case LF.FIELDLIST:
      return parseFieldList(c);
    case LF.POINTER: {
      const referent = c.u32();
      const attr = c.u32();
      let size = (attr >>> 13) & 0x3f;
      if (size === 0) size = (attr & 0x1f) === 0x0c ? 8 : (attr & 0x1f) === 0x0a ? 4 : 0; // CV_PTR_64, CV_PTR_NEAR32
      return { leaf: 'pointer', referent, size };
    }
    case LF.MODIFIER:
      return { leaf: 'modifier', referent: c.u32() };
    case LF.ARRAY: {
      const element = c.u32();
      c.u32(); // index type
      return { leaf: 'array', element, size: readCount(c, 'array size') };
    }
    case LF.BITFIELD: {
      const type = c.u32();
      const length = c.u8();
      return { leaf: 'bitfield', type, length, position: c.u8() };
    }
    case LF.PROCEDURE:
    case LF.MFUNCTION:
      return { leaf: 'function' };
    case LF.STRING_ID:
      c.u32(); // substring list
      return { leaf: 'string', value: c.cstring() };
    default:
      return undefined;
  }
}

/** LF_FIELDLIST: sub-records padded to 4 bytes with LF_PAD bytes (0xF0 | count). An unknown sub-record ends the list. */
function parseFieldList(c: Cursor): TypeRecord {
  const members: Member[] = [];
  const enumerates: Enumerate[] = [];
  const bases: { type: number; offset: number }[] = [];
  let continuation: number | undefined;
  while (c.remaining > 0) {
    const pad = c.bytes[c.pos]!;
    if (pad >= 0xf0) {
      c.pos += Math.min(Math.max(pad & 0x0f, 1), c.remaining);
      continue;
    }
    if (c.remaining < 2) break;
    const kind = c.u16();
    switch (kind) {
      case LF.MEMBER: {
        c.u16(); // attributes
        const type = c.u32();
        const offset = readCount(c, 'member offset');
        members.push({ type, offset, name: c.cstring() });
        break;
      }
      case LF.ENUMERATE: {
        c.u16();
        const value = readNumeric(c);
        const name = c.cstring();
        if (value !== undefined) enumerates.push({ name, value });
        break;
      }
      case LF.BCLASS: {
        c.u16();
        const type = c.u32();
        bases.push({ type, offset: readCount(c, 'base class offset') });
        break;
      }
      case LF.VBCLASS:
      case LF.IVBCLASS:
        c.u16();
        c.u32();
        c.u32();
        readNumeric(c);
        readNumeric(c);
        break;
      case LF.STMEMBER:
      case LF.NESTTYPE:
      case LF.NESTTYPEEX:
      case LF.MEMBERMODIFY:
      case LF.FRIENDFCN:
        c.u16();
        c.u32();
        c.cstring();
        break;
      case LF.METHOD:
        c.u16(); // overload count
        c.u32(); // method list
        c.cstring();
        break;
      case LF.ONEMETHOD: {
        const attr = c.u16();
        c.u32();
        const mprop = (attr >> 2) & 7;
        if (mprop === 4 || mprop === 6) c.u32(); // introducing virtual: vtable offset
        c.cstring();
        break;
      }
      case LF.VFUNCTAB:
      case LF.FRIENDCLS:
        c.u16();
        c.u32();
        break;
      case LF.VFUNCOFF:
        c.u16();
        c.u32();
        c.u32();
        break;
      case LF.INDEX:
        c.u16();
        continuation = c.u32();
        break;
      default:
        // A sub-record this reader cannot size: the rest of the list cannot be found, keep what was read.
        return { leaf: 'fieldlist', members, enumerates, bases, continuation };
    }
  }
  return { leaf: 'fieldlist', members, enumerates, bases, continuation };
}
