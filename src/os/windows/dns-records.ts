import type { VirtualMemory } from '../../plugins/api/memory.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import type { DnsCacheLayout } from './dns-cache-layouts.ts';
import { readWideString } from './wide-string.ts';

/** One DNS_RECORDW as read: its header fields and its data bytes. */
export interface RawDnsRecord {
  readonly address: bigint;
  readonly next: bigint;
  /** pName: the owner name (a PWSTR); 0 for none. */
  readonly name: bigint;
  readonly type: number;
  readonly flags: number;
  readonly ttl: number;
  /** Data: wDataLength bytes, at most MAX_DATA_BYTES. */
  readonly data: Uint8Array;
}

/** Most data bytes read of one record (wDataLength is a u16; no record type the cache holds needs more). */
const MAX_DATA_BYTES = 1024;
/** Most bytes of a name read: DNS names have at most 255 characters. */
export const MAX_NAME_BYTES = 512;
/** TXT strings have at most 255 characters; a record at most this many of them. */
const MAX_TXT_STRING_BYTES = 512;
const MAX_TXT_STRINGS = 64;
const POINTER = 8;

/** The types windows.dnscache names (windns.h DNS_TYPE_*); others are given by number. */
const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'],
  [2, 'NS'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [12, 'PTR'],
  [15, 'MX'],
  [16, 'TXT'],
  [28, 'AAAA'],
  [33, 'SRV'],
  [39, 'DNAME'],
]);
/** Types whose data is a DNS_PTR_DATAW: one name pointer (pNameHost). */
const NAME_TYPES = new Set([2, 5, 12, 39]);
export const DNS_TYPE_CNAME = 5;
/** DNS_RECORD Flags.Section (bits 0-1). */
const SECTIONS = ['Question', 'Answer', 'Authority', 'Additional'] as const;

export const dnsTypeName = (type: number): string => TYPE_NAMES.get(type) ?? String(type);
export const dnsSectionName = (flags: number): string => SECTIONS[flags & 3]!;

/** The record at `address`; null when its header is unreadable (data that is not is read as none). */
export async function readDnsRecord(space: Pick<VirtualMemory, 'read'>, layout: DnsCacheLayout, address: bigint): Promise<RawDnsRecord | null> {
  const r = layout.record;
  const header = await space.read(address, r.data);
  if (!header) return null;
  const dv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const length = Math.min(dv.getUint16(r.dataLength, true), MAX_DATA_BYTES);
  const data = length === 0 ? new Uint8Array(0) : ((await space.read(address + BigInt(r.data), length)) ?? new Uint8Array(0));
  return {
    address,
    next: dv.getBigUint64(r.next, true),
    name: dv.getBigUint64(r.name, true),
    type: dv.getUint16(r.type, true),
    flags: dv.getUint32(r.flags, true),
    ttl: dv.getUint32(r.ttl, true),
    data,
  };
}

/**
 * The record's data as text, by type (windns.h's DNS_*_DATAW): A dotted, AAAA RFC 5952, NS / CNAME / PTR / DNAME the
 * name, MX "preference name", SRV "priority weight port target", TXT each string quoted, SOA "primary admin serial
 * refresh retry expire minimum"; null for another type, data that does not fit its type or a name not readable.
 */
export async function dnsRecordText(space: Pick<VirtualMemory, 'read'>, record: RawDnsRecord): Promise<string | null> {
  const { data, type } = record;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const name = (offset: number) => readWideString(space, dv.getBigUint64(offset, true), MAX_NAME_BYTES);
  if (type === 1) return data.length === 4 ? ipv4(data) : null;
  if (type === 28) return data.length === 16 ? ipv6(data) : null;
  if (NAME_TYPES.has(type)) return data.length === POINTER ? name(0) : null;
  if (type === 15 && data.length >= POINTER + 2) return joined([String(dv.getUint16(POINTER, true)), await name(0)]);
  if (type === 33 && data.length >= POINTER + 6) {
    const numbers = [0, 2, 4].map((o) => String(dv.getUint16(POINTER + o, true)));
    return joined([...numbers, await name(0)]);
  }
  if (type === 6 && data.length >= 2 * POINTER + 20) {
    const numbers = [0, 4, 8, 12, 16].map((o) => String(dv.getUint32(2 * POINTER + o, true)));
    return joined([await name(0), await name(POINTER), ...numbers]);
  }
  if (type === 16) return txtText(space, dv);
  return null;
}

/** DNS_TXT_DATAW: dwStringCount, then (8-aligned) that many string pointers. */
async function txtText(space: Pick<VirtualMemory, 'read'>, dv: DataView): Promise<string | null> {
  if (dv.byteLength < POINTER) return null;
  const count = dv.getUint32(0, true);
  if (count > MAX_TXT_STRINGS || dv.byteLength < POINTER * (1 + count)) return null;
  const strings: (string | null)[] = [];
  for (let i = 0; i < count; i++) strings.push(await readWideString(space, dv.getBigUint64(POINTER * (1 + i), true), MAX_TXT_STRING_BYTES));
  return strings.some((s) => s === null) ? null : strings.map((s) => `"${s}"`).join(' ');
}

const joined = (parts: readonly (string | null)[]): string | null => (parts.some((p) => p === null) ? null : parts.join(' '));
