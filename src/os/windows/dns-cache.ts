import { hex } from '../../io/hex.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { DnsCacheRecord, LoaderModule, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { listLinks, type ListBreak } from '../list-walk.ts';
import { layoutForBuild } from './build-layout.ts';
import { dnsCacheLayout } from './dns-cache-layouts.ts';
import { DNS_TYPE_CNAME, dnsRecordText, dnsSectionName, dnsTypeName, MAX_NAME_BYTES, readDnsRecord, type RawDnsRecord } from './dns-records.ts';
import { DnsTableReader, locateDnsTable, looksLikeDnsName, type DnsTable } from './dns-table.ts';
import { loaderModules } from './loader-modules.ts';
import { activeProcesses } from './process-list.ts';
import { vadTree } from './vad-tree.ts';
import type { WindowsKernel } from './windows-kernel.ts';
import { readWideString } from './wide-string.ts';

export type { DnsCacheRecord };

const MODULE_NAME = 'dnsrslvr.dll';
/** Most entries of one bucket, of the whole cache, and records of one entry walked; longer is smear or a loop. */
const MAX_BUCKET_ENTRIES = 4096;
export const MAX_CACHE_ENTRIES = 0x1_0000;
export const MAX_ENTRY_RECORDS = 1024;

/**
 * The DNS Client's resolver cache in each listed process (the active process list, `wanted` applied) that has
 * dnsrslvr.dll in its loader list: the table located (dns-table.ts), then slot by slot each bucket's list of entries
 * and each entry's chain of records, bounded and cycle-guarded with a warning where a list or chain breaks. An entry
 * whose name is unreadable or no DNS name is skipped with a warning, so is a record whose owner name is unreadable; an
 * unreadable record ends its chain with one. No such process among all listed is one warning.
 */
export async function* dnsCacheRecords(
  kernel: WindowsKernel,
  wanted: ((p: WindowsProcess) => boolean) | undefined,
  warn: Warn,
  signal?: AbortSignal,
): AsyncGenerator<DnsCacheRecord> {
  let hosts = 0;
  for await (const p of activeProcesses(kernel, warn)) {
    signal?.throwIfAborted();
    if (wanted && !wanted(p)) continue;
    const module = await resolverModule(kernel, p);
    if (!module) continue;
    hosts++;
    const about = `PID ${p.pid} (${p.name})`;
    const layout = await layoutForBuild(kernel, warn, 'DNS resolver cache', dnsCacheLayout);
    if (!layout) return;
    const space = kernel.processLayer(p.dtb);
    const reader = new DnsTableReader(space, layout);
    const processWarn: Warn = (w) => warn({ ...w, message: `${about}: ${w.message}` });
    const table = await locateDnsTable(reader, space, module, () => vadTree(kernel, p, processWarn), processWarn, signal);
    if (!table) {
      processWarn({ code: 'UNREADABLE', message: 'no DNS resolver cache table found (the cache empty, or its table not in memory)' });
      continue;
    }
    yield* new CacheWalk(p, space, reader, table, processWarn, signal).records();
  }
  // Processes picked by PID that are not the DNS Client simply have no cache; every process without one is worth a word.
  if (hosts === 0 && !wanted)
    warn({ code: 'UNREADABLE', message: `no listed process has ${MODULE_NAME} loaded: no DNS Client (or its loader list unreadable)` });
}

/** dnsrslvr.dll in the process's load-order list; null without one (the list's own breaks are not this plugin's to say). */
async function resolverModule(kernel: WindowsKernel, p: WindowsProcess): Promise<LoaderModule | null> {
  for await (const m of loaderModules(kernel, p, 'load', () => undefined)) if (m.name?.toLowerCase() === MODULE_NAME) return m;
  return null;
}

class CacheWalk {
  private readonly seenEntries = new Set<bigint>();

  constructor(
    private readonly process: WindowsProcess,
    private readonly space: VirtualLayer,
    private readonly reader: DnsTableReader,
    private readonly table: DnsTable,
    private readonly warn: Warn,
    private readonly signal?: AbortSignal,
  ) {}

  async *records(): AsyncGenerator<DnsCacheRecord> {
    const { slotWidth } = this.reader.layout;
    const bytes = await this.space.read(this.table.address, this.table.slots * slotWidth);
    if (!bytes) {
      this.warn({ code: 'UNREADABLE', message: `DNS cache table (in ${this.table.foundIn}) not readable`, address: hex(this.table.address) });
      return;
    }
    const first = this.reader.firstEntries(this.table.address, bytes);
    for (let i = 0; i < first.length; i++) {
      const entry = first[i]!;
      if (entry === 0n) continue;
      const slot = this.table.address + BigInt(i * slotWidth);
      if (entry < 0n) {
        this.warn({ code: 'SMEAR', message: 'DNS cache table slot that holds no pointer: skipped', address: hex(slot) });
        continue;
      }
      for await (const e of this.bucket(slot, entry)) {
        this.signal?.throwIfAborted();
        if (this.seenEntries.size === MAX_CACHE_ENTRIES) {
          this.warn({ code: 'LIMIT', message: `DNS cache longer than ${MAX_CACHE_ENTRIES} entries: the rest not listed`, address: hex(slot) });
          return;
        }
        if (this.seenEntries.has(e)) {
          this.warn({ code: 'SMEAR', message: 'DNS cache bucket leads into an entry already listed: bucket ended', address: hex(e) });
          break;
        }
        this.seenEntries.add(e);
        yield* this.entry(e);
      }
    }
  }

  /** The bucket's entries in list order: from the slot's first entry ('entry' slots) or the slot as the list's head. */
  private async *bucket(slot: bigint, first: bigint): AsyncGenerator<bigint> {
    const { slot: kind, entry } = this.reader.layout;
    const links = BigInt(entry.links);
    const head = kind === 'list' ? slot : first + links;
    if (kind === 'entry') yield first;
    const tableEnd = this.table.address + BigInt(this.table.slots * this.reader.layout.slotWidth);
    let ended: ListBreak['kind'] | undefined;
    const walk = listLinks(this.space, head, {
      limit: MAX_BUCKET_ENTRIES,
      // A list from an 'entry' slot may end with a NULL link rather than close on its first entry.
      warn: (w) => (kind === 'entry' && ended === 'null' ? undefined : this.warn(w)),
      describe: (b) => {
        ended = b.kind;
        // The first entry of an 'entry' slot is the list's head: counted too.
        return { message: bucketBreak(b.kind, b.entries + (kind === 'entry' ? 1 : 0)), address: hex(b.at) };
      },
    });
    for await (const link of walk) {
      // A link back into the table is a list's end (where the slot is the head of another's).
      if (link >= this.table.address && link < tableEnd) return;
      yield link - links;
    }
  }

  /** The entry's records, each with its section; nothing (a warning) when its name is no DNS name. */
  private async *entry(entry: bigint): AsyncGenerator<DnsCacheRecord> {
    const name = await this.reader.entryName(entry);
    if (name === null || !looksLikeDnsName(name)) {
      const why = name === null ? 'whose name is not readable' : 'whose name is no DNS name';
      this.warn({ code: name === null ? 'UNREADABLE' : 'SMEAR', message: `DNS cache entry ${why}: skipped`, address: hex(entry) });
      return;
    }
    const chain: ChainedRecord[] = [];
    for await (const raw of this.chain(entry)) {
      const owner = raw.name === 0n ? name : await readWideString(this.space, raw.name, MAX_NAME_BYTES);
      if (owner === null)
        this.warn({ code: 'UNREADABLE', message: `DNS record of ${name} whose owner name is not readable: skipped`, address: hex(raw.address) });
      else chain.push({ raw, owner, data: await dnsRecordText(this.space, raw) });
    }
    const reached = cnameTargets(name, chain);
    for (const { raw, owner, data } of chain) {
      yield {
        process: this.process,
        entry,
        offset: raw.address,
        name: owner,
        type: raw.type,
        typeName: dnsTypeName(raw.type),
        data,
        bytes: raw.data,
        ttl: raw.ttl,
        flags: raw.flags,
        section: reached.has(owner.toLowerCase()) ? 'CNAME' : dnsSectionName(raw.flags),
      };
    }
  }

  /** The entry's record chain (first record +0x58, each record's next), bounded and cycle-guarded. */
  private async *chain(entry: bigint): AsyncGenerator<RawDnsRecord> {
    const { layout } = this.reader;
    let at = await this.space.readU64(entry + BigInt(layout.entry.records));
    const seen = new Set<bigint>();
    while (at !== null && at !== 0n) {
      if (seen.has(at)) {
        this.warn({ code: 'SMEAR', message: 'DNS record chain loops back: chain ended', address: hex(at) });
        return;
      }
      if (seen.size === MAX_ENTRY_RECORDS) {
        this.warn({ code: 'LIMIT', message: `DNS record chain longer than ${MAX_ENTRY_RECORDS} records: the rest not listed`, address: hex(entry) });
        return;
      }
      seen.add(at);
      const raw = await readDnsRecord(this.space, layout, at);
      if (!raw) {
        this.warn({ code: 'UNREADABLE', message: 'DNS record not readable: chain ended', address: hex(at) });
        return;
      }
      yield raw;
      at = raw.next;
    }
    if (at === null) this.warn({ code: 'UNREADABLE', message: 'DNS cache entry whose record pointer is not readable', address: hex(entry) });
  }
}

interface ChainedRecord {
  readonly raw: RawDnsRecord;
  readonly owner: string;
  /** The data as text (a CNAME's: the name it leads to); null when not decoded. */
  readonly data: string | null;
}

/**
 * The names other than the entry's own that its CNAME records lead to from its name, directly or through one another
 * (lower case): the records they own were reached through the CNAME chain.
 */
function cnameTargets(name: string, chain: readonly ChainedRecord[]): Set<string> {
  const own = name.toLowerCase();
  const reached = new Set<string>();
  const cnames = chain.filter((r) => r.raw.type === DNS_TYPE_CNAME && r.data !== null);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of cnames) {
      const owner = r.owner.toLowerCase();
      const target = r.data!.toLowerCase();
      if ((owner === own || reached.has(owner)) && target !== own && !reached.has(target)) {
        reached.add(target);
        grew = true;
      }
    }
  }
  return reached;
}

function bucketBreak(kind: string, entries: number): string {
  switch (kind) {
    case 'loop':
      return `DNS cache bucket list loops back after ${entries} entries: bucket ended`;
    case 'limit':
      return `DNS cache bucket longer than ${MAX_BUCKET_ENTRIES} entries: bucket ended`;
    default:
      return `DNS cache bucket list link ${kind === 'null' ? 'NULL' : 'not readable'} after ${entries} entries: bucket ended`;
  }
}
