import { hex } from '../../io/hex.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { LoaderModule } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { DnsCacheLayout } from './dns-cache-layouts.ts';
import { MAX_NAME_BYTES } from './dns-records.ts';
import { IMAGE_SCN_MEM_WRITE, parseSections } from './pe-header.ts';
import type { VadNode } from './vad-tree.ts';
import { readWideString } from './wide-string.ts';

/** The resolver cache's hash table as found: where, how many slots, and where it was found. */
export interface DnsTable {
  readonly address: bigint;
  readonly slots: number;
  /** "dnsrslvr.dll's .data" or "private memory". */
  readonly foundIn: string;
}

/** Slots of the smallest and largest table taken (the service's default is a few hundred; MemProcFS caps at 64Ki). */
const MIN_SLOTS = 16;
const MAX_SLOTS = 0x1_0000;
/** How far from a pointer candidate (bytes) a size candidate may lie in the data section. */
const PAIR_DISTANCE = 0x40;
/** Most bytes of a module's writable sections searched, and of candidate pairs tried. */
const MAX_SECTION_BYTES = 1024 * 1024;
const MAX_PAIRS = 4096;
/** Entries whose names a candidate's validation reads (spread over its slots). */
const SAMPLE = 64;
/** Share of a candidate's slots that must be NULL or lead to an entry with a DNS name. */
const MIN_SCORE = 0.9;
/** The private-memory search: shortest run of plausible slots, most bytes searched, most runs tried. */
const MIN_RUN_SLOTS = 32;
const MAX_SCANNED_BYTES = 256 * 1024 * 1024;
const MAX_RUNS = 256;
const SCAN_CHUNK = 1024 * 1024;
const PAGE = 0x1000;
const USER_MIN = 0x1_0000n;
const USER_END = 0x8000_0000_0000n;

const isUserPointer = (v: bigint, align: bigint): boolean => v >= USER_MIN && v < USER_END && v % align === 0n;

/**
 * A DNS name as the cache keeps it: at most 255 characters of labels of 1..63 letters, digits, '-', '_' or '*'
 * (internationalized names in Unicode), separated by dots, perhaps ending with one.
 */
export function looksLikeDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  return labels.every((l) => l.length > 0 && l.length <= 63 && /^[\p{L}\p{N}_*-]+$/u.test(l));
}

/** Reads the table's slots and says where each leads; the validation and the walk share it. */
export class DnsTableReader {
  constructor(
    private readonly space: VirtualLayer,
    readonly layout: DnsCacheLayout,
  ) {}

  /**
   * The first entry of each bucket of the table whose slots are `bytes` (read at `address`): for an 'entry' slot its
   * value, for a 'list' slot its Flink less the entry's link offset; 0 for an empty slot, -1 for a slot that holds no
   * user-space pointer.
   */
  firstEntries(address: bigint, bytes: Uint8Array): bigint[] {
    const { slotWidth, slot, entry } = this.layout;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: bigint[] = [];
    for (let o = 0; o + slotWidth <= bytes.length; o += slotWidth) {
      const value = dv.getBigUint64(o, true);
      const self = address + BigInt(o);
      if (value === 0n || (slot === 'list' && value === self)) out.push(0n);
      else if (!isUserPointer(value, 8n)) out.push(-1n);
      else out.push(slot === 'list' ? value - BigInt(entry.links) : value);
    }
    return out;
  }

  /** Names read, by entry: candidates of one table share their entries. */
  private readonly names = new Map<bigint, Promise<string | null>>();

  /** The entry's name; null when its pointer or text is unreadable. */
  entryName(entry: bigint): Promise<string | null> {
    let name = this.names.get(entry);
    if (!name) this.names.set(entry, (name = this.readName(entry)));
    return name;
  }

  private async readName(entry: bigint): Promise<string | null> {
    const pointer = await this.space.readU64(entry + BigInt(this.layout.entry.name));
    return pointer === null ? null : readWideString(this.space, pointer, MAX_NAME_BYTES);
  }

  /**
   * How much of the table at `address` with `slots` slots looks like the cache: the share of slots that are NULL or
   * lead to an entry named like a DNS name (a sample of the entries read), and the estimated count of such entries;
   * null when unreadable.
   */
  async score(address: bigint, slots: number): Promise<{ score: number; entries: number } | null> {
    const bytes = await this.space.read(address, slots * this.layout.slotWidth);
    if (!bytes) return null;
    const first = this.firstEntries(address, bytes);
    const used = first.filter((e) => e > 0n);
    const empty = first.filter((e) => e === 0n).length;
    const step = Math.max(1, used.length / SAMPLE);
    let sampled = 0;
    let named = 0;
    for (let i = 0; i < used.length && sampled < SAMPLE; i = Math.floor(++sampled * step)) {
      const name = await this.entryName(used[i]!);
      if (name !== null && looksLikeDnsName(name)) named++;
    }
    if (named === 0) return null;
    const entries = (used.length * named) / sampled;
    return { score: (empty + entries) / slots, entries };
  }
}

/**
 * The resolver cache's table in the service's process: from pointer / size pairs of nearby globals in dnsrslvr.dll's
 * writable sections (g_HashTable, g_HashTableSize) — each pair validated by what its slots lead to, the best kept —
 * else from runs of plausible slots in the process's private memory, validated alike. null when neither gives one.
 */
export async function locateDnsTable(
  reader: DnsTableReader,
  space: VirtualLayer,
  module: LoaderModule,
  vads: () => AsyncIterable<VadNode>,
  warn: Warn,
  signal?: AbortSignal,
): Promise<DnsTable | null> {
  const fromModule = await best(reader, await modulePairs(space, module, warn), signal);
  if (fromModule) return { ...fromModule, foundIn: `${module.name ?? 'dnsrslvr.dll'}'s data` };
  const fromMemory = await best(reader, await privateRuns(space, reader, vads, warn, signal), signal);
  return fromMemory && { ...fromMemory, foundIn: 'private memory' };
}

interface Candidate {
  readonly address: bigint;
  readonly slots: number;
}

/** The candidate whose slots lead to the most named entries (ties: the higher score, then the first). */
async function best(reader: DnsTableReader, candidates: readonly Candidate[], signal?: AbortSignal): Promise<Candidate | null> {
  let found: { c: Candidate; entries: number; score: number } | null = null;
  for (const c of candidates) {
    signal?.throwIfAborted();
    const s = await reader.score(c.address, c.slots);
    if (!s || s.score < MIN_SCORE) continue;
    if (!found || s.entries > found.entries || (s.entries === found.entries && s.score > found.score)) found = { c, ...s };
  }
  return found?.c ?? null;
}

/** Pointer / size pairs within PAIR_DISTANCE of each other in the module's writable sections. */
async function modulePairs(space: VirtualLayer, module: LoaderModule, warn: Warn): Promise<Candidate[]> {
  const page = await space.read(module.base, PAGE);
  const sections = page && parseSections(page);
  if (!sections) {
    warn({
      code: 'UNREADABLE',
      message: `${module.name}: no readable PE header with a section table: its globals not searched`,
      address: hex(module.base),
    });
    return [];
  }
  const pairs: Candidate[] = [];
  for (const s of sections.filter((s) => (s.characteristics & IMAGE_SCN_MEM_WRITE) !== 0)) {
    const bytes = await readPages(space, module.base + BigInt(s.rva), Math.min(s.size, MAX_SECTION_BYTES));
    const dv = new DataView(bytes.buffer);
    const sizes: number[] = [];
    for (let o = 0; o + 4 <= bytes.length; o += 4) {
      const v = dv.getUint32(o, true);
      if (v >= MIN_SLOTS && v <= MAX_SLOTS) sizes.push(o);
    }
    for (let o = 0; o + 8 <= bytes.length; o += 8) {
      const pointer = dv.getBigUint64(o, true);
      if (!isUserPointer(pointer, 8n)) continue;
      for (const so of sizes) {
        if (Math.abs(so - o) > PAIR_DISTANCE || (so >= o && so < o + 8)) continue;
        if (pairs.length === MAX_PAIRS) {
          warn({
            code: 'LIMIT',
            message: `${module.name}: more than ${MAX_PAIRS} candidate table globals: the rest not tried`,
            address: hex(module.base),
          });
          return pairs;
        }
        pairs.push({ address: pointer, slots: dv.getUint32(so, true) });
      }
    }
  }
  return pairs;
}

/** `length` bytes at `address`, page by page; pages not readable read as zeros. */
async function readPages(space: VirtualLayer, address: bigint, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let o = 0; o < length;) {
    const n = Math.min(PAGE - Number((address + BigInt(o)) % BigInt(PAGE)), length - o);
    const bytes = await space.read(address + BigInt(o), n);
    if (bytes) out.set(bytes, o);
    o += n;
  }
  return out;
}

/**
 * Runs of at least MIN_RUN_SLOTS slots, each NULL or a user-space pointer (at least one not NULL), in the resident
 * pages of the process's private memory; the search is bounded (bytes, runs).
 */
async function privateRuns(
  space: VirtualLayer,
  reader: DnsTableReader,
  vads: () => AsyncIterable<VadNode>,
  warn: Warn,
  signal?: AbortSignal,
): Promise<Candidate[]> {
  const width = reader.layout.slotWidth;
  const runs: Candidate[] = [];
  let scanned = 0;
  for await (const vad of vads()) {
    if (vad.privateMemory !== 1) continue;
    for await (const mapped of space.mappedRuns(vad.start, vad.end + 1n, { signal })) {
      let start = -1n;
      let slots = 0;
      let used = 0;
      const close = (): void => {
        if (slots >= MIN_RUN_SLOTS && used > 0 && runs.length < MAX_RUNS) runs.push({ address: start, slots: Math.min(slots, MAX_SLOTS) });
        start = -1n;
        slots = used = 0;
      };
      for (let done = 0; done < mapped.length; done += SCAN_CHUNK) {
        if (scanned >= MAX_SCANNED_BYTES || runs.length >= MAX_RUNS) {
          warn({ code: 'LIMIT', message: `the DNS cache table searched for in the first ${scanned} bytes of private memory only` });
          return runs;
        }
        const at = mapped.vaddr + BigInt(done);
        const length = Math.min(SCAN_CHUNK, mapped.length - done);
        const bytes = await space.read(at, length);
        scanned += length;
        if (!bytes) {
          close();
          continue;
        }
        const first = reader.firstEntries(at, bytes);
        first.forEach((e, i) => {
          if (e < 0n) return close();
          if (start < 0n) start = at + BigInt(i * width);
          slots++;
          if (e > 0n) used++;
        });
      }
      close();
    }
  }
  return runs;
}
