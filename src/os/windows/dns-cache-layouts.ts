/**
 * Where the DNS Client service (dnsrslvr.dll, in its svchost.exe) keeps its resolver cache, x64, per build range.
 * Its structures are in dnsrslvr.pdb, not the kernel's symbols, so these are facts (public: Rekall's Windows 10
 * handling, MemProcFS's m_sys_netdns.c): the hash table g_HashTable of g_HashTableSize slots, each bucket a list of
 * cache entries (list links at +0x8, the name — a PWSTR — at +0x38, the first DNS_RECORDW at +0x58); before build
 * 22621 a slot is 8 bytes, a pointer to the bucket's first entry, from 22621 on 16, a LIST_ENTRY head whose links
 * lead to the entries' links. A record (windns.h's DNS_RECORDW): pNext +0x0, pName +0x8, wType +0x10,
 * wDataLength +0x12, Flags +0x14, dwTtl +0x18, Data +0x20. test/fixtures/windows/dns-cache.ts mirrors this for the
 * generator.
 */

export interface DnsCacheLayout {
  /** Bytes per slot of the table. */
  readonly slotWidth: 8 | 16;
  /** 'entry': the slot points at the bucket's first entry; 'list': the slot is the head of the entries' list. */
  readonly slot: 'entry' | 'list';
  readonly entry: { readonly links: number; readonly name: number; readonly records: number };
  readonly record: {
    readonly next: number;
    readonly name: number;
    readonly type: number;
    readonly dataLength: number;
    readonly flags: number;
    readonly ttl: number;
    readonly data: number;
  };
}

const ENTRY = { links: 0x8, name: 0x38, records: 0x58 } as const;
const RECORD = { next: 0x0, name: 0x8, type: 0x10, dataLength: 0x12, flags: 0x14, ttl: 0x18, data: 0x20 } as const;

/** By first build, ascending; a build uses the last entry at or below it. */
const LAYOUTS: readonly (readonly [number, DnsCacheLayout])[] = [
  [10240, { slotWidth: 8, slot: 'entry', entry: ENTRY, record: RECORD }],
  [22621, { slotWidth: 16, slot: 'list', entry: ENTRY, record: RECORD }],
];

/** The layout for a build (Windows 10 on); null before Windows 10. */
export function dnsCacheLayout(build: number): DnsCacheLayout | null {
  let found: DnsCacheLayout | null = null;
  for (const [first, layout] of LAYOUTS) if (build >= first) found = layout;
  return found;
}
