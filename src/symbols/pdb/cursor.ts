import { MemscopeError } from '../../errors.ts';

/** A PDB the reader cannot make sense of: one CORRUPT error naming the file. */
export function corruptPdb(fileName: string, message: string): never {
  throw new MemscopeError('CORRUPT', `not a valid PDB: ${message}`, fileName);
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/**
 * A bounded little-endian reader over one stream (or one record of it). Reading past `end` throws
 * CORRUPT naming the file and `what`, so a bogus length from the file never reads into its neighbours.
 */
export class Cursor {
  private readonly dv: DataView;
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
    readonly what: string,
    start = 0,
    end = bytes.length,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = Math.min(end, bytes.length);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Checks that `n` more bytes are there and returns where they start. */
  need(n: number): number {
    if (n < 0 || this.pos + n > this.end)
      corruptPdb(this.fileName, `${this.what} ends before its data (needs ${n} bytes at ${this.pos}, ends at ${this.end})`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }
  i16(): number {
    return this.dv.getInt16(this.need(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.dv.getInt32(this.need(4), true);
  }
  u64(): bigint {
    return this.dv.getBigUint64(this.need(8), true);
  }
  i64(): bigint {
    return this.dv.getBigInt64(this.need(8), true);
  }
  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  skip(n: number): void {
    this.need(n);
  }

  /** A NUL-terminated name (UTF-8, as MSVC writes them); a name without its NUL ends at the record's end. */
  cstring(): string {
    let end = this.pos;
    while (end < this.end && this.bytes[end] !== 0) end++;
    const raw = this.bytes.subarray(this.pos, end);
    this.pos = Math.min(end + 1, this.end);
    let ascii = true;
    for (const b of raw) if (b >= 0x80) ascii = false;
    return ascii ? latin1.decode(raw) : utf8.decode(raw);
  }
}

/** CodeView numeric leaves (cvinfo.h LF_CHAR … LF_UQUADWORD): a value below 0x8000 is the value itself. */
export const LF_NUMERIC = 0x8000;

/**
 * Reads a CodeView numeric leaf: an unsigned 16-bit value below LF_NUMERIC, else a kind followed by the value.
 * Integers come back as numbers when they fit (bigint beyond 2^53); real and other kinds give undefined.
 */
export function readNumeric(c: Cursor): number | bigint | undefined {
  const leaf = c.u16();
  if (leaf < LF_NUMERIC) return leaf;
  switch (leaf) {
    case 0x8000: // LF_CHAR
      return (c.u8() << 24) >> 24;
    case 0x8001: // LF_SHORT
      return c.i16();
    case 0x8002: // LF_USHORT
      return c.u16();
    case 0x8003: // LF_LONG
      return c.i32();
    case 0x8004: // LF_ULONG
      return c.u32();
    case 0x8009: // LF_QUADWORD
      return small(c.i64());
    case 0x800a: // LF_UQUADWORD
      return small(c.u64());
    case 0x8017: // LF_OCTWORD
    case 0x8018: // LF_UOCTWORD
      c.skip(16);
      return undefined;
    case 0x8005: // LF_REAL32
      c.skip(4);
      return undefined;
    case 0x8006: // LF_REAL64
    case 0x800c: // LF_COMPLEX32
      c.skip(8);
      return undefined;
    case 0x8007: // LF_REAL80
      c.skip(10);
      return undefined;
    case 0x8008: // LF_REAL128
    case 0x800d: // LF_COMPLEX64
      c.skip(16);
      return undefined;
    case 0x800b: // LF_REAL48
      c.skip(6);
      return undefined;
    case 0x801c: // LF_REAL16
      c.skip(2);
      return undefined;
    case 0x800e: // LF_COMPLEX80
      c.skip(20);
      return undefined;
    case 0x800f: // LF_COMPLEX128
      c.skip(32);
      return undefined;
    case 0x8010: // LF_VARSTRING: u16 length + bytes
      c.skip(c.u16());
      return undefined;
    default:
      corruptPdb(c.fileName, `${c.what} has an unknown numeric leaf 0x${leaf.toString(16)}`);
  }
}

function small(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A numeric leaf that must be a non-negative safe integer (a size or an offset). */
export function readCount(c: Cursor, what: string): number {
  const v = readNumeric(c);
  if (typeof v !== 'number' || v < 0) corruptPdb(c.fileName, `${c.what}: ${what} is not a non-negative integer`);
  return v;
}
