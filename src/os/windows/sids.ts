import { sha1 } from '@noble/hashes/legacy';
import { SERVICE_NAMES, SID_PATTERNS, WELL_KNOWN_SIDS } from './sid-names.ts';

/** SID_REVISION and SID_MAX_SUB_AUTHORITIES: what RtlValidSid accepts. */
const SID_REVISION = 1;
export const SID_MAX_SUB_AUTHORITIES = 15;

/** A _SID's parts as read from memory. */
export interface SidParts {
  readonly revision: number;
  /** IdentifierAuthority: 6 bytes, big-endian. */
  readonly authority: bigint;
  readonly subAuthorities: readonly number[];
}

/** RtlValidSid's test: the revision's low nibble is 1 and there are at most 15 sub-authorities. */
export function validSid(revision: number, subAuthorityCount: number): boolean {
  return (revision & 0xf) === SID_REVISION && subAuthorityCount <= SID_MAX_SUB_AUTHORITIES;
}

/** "S-1-5-21-…" as ConvertSidToStringSid writes it: the authority in decimal below 2^32, else 0x + 12 hex digits. */
export function sidString({ revision, authority, subAuthorities }: SidParts): string {
  const auth = authority < 0x1_0000_0000n ? authority.toString() : `0x${authority.toString(16).toUpperCase().padStart(12, '0')}`;
  return ['S', revision, auth, ...subAuthorities].join('-');
}

/** The service SID of a service: S-1-5-80 and the SHA-1 of its upper-cased UTF-16LE name as five sub-authorities. */
export function serviceSid(service: string): string {
  const name = service.toUpperCase();
  const utf16 = new Uint8Array(name.length * 2);
  for (let i = 0; i < name.length; i++) {
    utf16[2 * i] = name.charCodeAt(i) & 0xff;
    utf16[2 * i + 1] = name.charCodeAt(i) >> 8;
  }
  const digest = new DataView(sha1(utf16).buffer);
  return `S-1-5-80-${[0, 4, 8, 12, 16].map((o) => digest.getUint32(o, true)).join('-')}`;
}

let serviceSids: Map<string, string> | undefined;

/**
 * The name Volatility 3's windows.getsids gives a SID: a well-known SID, a known service's SID, else the first
 * well-known RID pattern that matches; null when none does (user accounts, which Volatility names from the
 * registry, stay null: memscope reads no hives yet).
 */
export function sidName(sid: string): string | null {
  const known = WELL_KNOWN_SIDS[sid];
  if (known !== undefined) return known;
  serviceSids ??= new Map(SERVICE_NAMES.map((s) => [serviceSid(s), s]));
  const service = serviceSids.get(sid);
  if (service !== undefined) return service;
  return SID_PATTERNS.find(([pattern]) => pattern.test(sid))?.[1] ?? null;
}
