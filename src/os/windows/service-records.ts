import { hex } from '../../io/hex.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { ServiceRecord, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { layoutForBuild } from './build-layout.ts';
import { activeProcesses } from './process-list.ts';
import {
  HEADER_RECORD,
  HEADER_TAG,
  recordExtent,
  SERVICE_START,
  SERVICE_STATE,
  SERVICE_TYPE_BITS,
  serviceRecordLayout,
  type ServiceRecordLayout,
} from './service-layouts.ts';
import { vadTree } from './vad-tree.ts';
import { readWideString } from './wide-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { ServiceRecord };

const HOST_NAME = 'services.exe';
/** Most bytes of a name read: Volatility's 512 (256 UTF-16 code units). */
const MAX_STRING_BYTES = 512;
/** Most resident private memory of one services.exe searched for headers. */
const MAX_SCANNED_BYTES = 256 * 1024 * 1024;
/** Most bytes read at once while searching. */
const SCAN_CHUNK = 1024 * 1024;
/** Most records one walk back from a header visits: far more services than Windows registers. */
const MAX_RECORDS = 8192;
/** Damaged records in a row after which a walk is abandoned (its links are then garbage too). */
const MAX_DAMAGED_IN_A_ROW = 3;
const TAG = Uint8Array.from(HEADER_TAG, (c) => c.charCodeAt(0));

/**
 * The service records of services.exe's service database (Vista on), found as Volatility 3's windows.svcscan finds
 * them: services.exe from the active process list, its private memory searched for 8-aligned 'serH' headers, and
 * from each header's record the walk back through PrevEntry, newest first, each record once. A record with an
 * impossible Order, Start or State is skipped with a SMEAR warning and the walk goes on through its PrevEntry
 * (Volatility ends the walk there); the walk is bounded and cycle-guarded.
 */
export async function* scanServiceRecords(kernel: WindowsKernel, warn: Warn, signal?: AbortSignal): AsyncGenerator<ServiceRecord> {
  const layout = await layoutForBuild(kernel, warn, 'service record', serviceRecordLayout);
  if (layout === null) return;
  const hosts: WindowsProcess[] = [];
  for await (const p of activeProcesses(kernel, warn)) if (p.name.toLowerCase() === HOST_NAME) hosts.push(p);
  if (hosts.length === 0) {
    warn({ code: 'UNREADABLE', message: `no ${HOST_NAME} in the active process list: no service records to read` });
    return;
  }
  for (const host of hosts) {
    const space = kernel.processLayer(host.dtb);
    const reader = new RecordReader(space, layout, warn, `PID ${host.pid} (${host.name})`);
    for (const header of await findHeaders(kernel, host, space, warn, signal)) {
      signal?.throwIfAborted();
      yield* reader.walk(header);
    }
  }
}

/** Addresses of 8-aligned 'serH' tags in the resident pages of the process's private memory, ascending. */
async function findHeaders(kernel: WindowsKernel, p: WindowsProcess, space: VirtualLayer, warn: Warn, signal?: AbortSignal): Promise<bigint[]> {
  const found: bigint[] = [];
  let scanned = 0;
  for await (const vad of vadTree(kernel, p, warn)) {
    if (vad.privateMemory !== 1) continue;
    for await (const run of space.mappedRuns(vad.start, vad.end + 1n, { signal })) {
      for (let done = 0; done < run.length; done += SCAN_CHUNK) {
        if (scanned >= MAX_SCANNED_BYTES) {
          warn({
            code: 'LIMIT',
            message: `PID ${p.pid} (${p.name}): service headers searched for in the first ${MAX_SCANNED_BYTES} bytes of its private memory only`,
          });
          return found.sort((a, b) => (a < b ? -1 : 1));
        }
        const at = run.vaddr + BigInt(done);
        const length = Math.min(SCAN_CHUNK, run.length - done);
        const bytes = await space.read(at, length);
        scanned += length;
        if (bytes) for (const offset of tagOffsets(bytes)) found.push(at + BigInt(offset));
      }
    }
  }
  return found.sort((a, b) => (a < b ? -1 : 1));
}

/** Offsets of the tag at multiples of 8 (the runs start page-aligned). */
function* tagOffsets(bytes: Uint8Array): Generator<number> {
  for (let i = 0; i + TAG.length <= bytes.length; i += 8) {
    if (bytes[i] === TAG[0] && bytes[i + 1] === TAG[1] && bytes[i + 2] === TAG[2] && bytes[i + 3] === TAG[3]) yield i;
  }
}

interface RawRecord {
  readonly dv: DataView;
  readonly order: number;
  readonly start: string | undefined;
  readonly state: string | undefined;
}

class RecordReader {
  private readonly seen = new Set<bigint>();
  private readonly extent: number;

  constructor(
    private readonly space: VirtualLayer,
    private readonly layout: ServiceRecordLayout,
    private readonly warn: Warn,
    private readonly about: string,
  ) {
    this.extent = recordExtent(layout);
  }

  /** The records from the header's back through PrevEntry; nothing when the header's record is no record. */
  async *walk(header: bigint): AsyncGenerator<ServiceRecord> {
    let at = await this.space.readU64(header + BigInt(HEADER_RECORD));
    const first = at === null || at === 0n ? null : await this.read(at);
    // A 'serH' that leads to no valid record is no header (the bytes occur by chance): Volatility skips it too.
    if (first === null || !valid(first)) return;
    const walked = new Set<bigint>();
    let damagedInARow = 0;
    for (let n = 0; at !== null && at !== 0n; n++) {
      if (n === MAX_RECORDS) {
        this.warn({ code: 'LIMIT', message: `${this.about}: service record walk stopped after ${MAX_RECORDS} records`, address: hex(header) });
        return;
      }
      if (walked.has(at)) {
        this.warn({ code: 'SMEAR', message: `${this.about}: service records' PrevEntry loops back: walk ended`, address: hex(at) });
        return;
      }
      // Met from an earlier header's walk: the records before it were reported then.
      if (this.seen.has(at)) return;
      walked.add(at);
      this.seen.add(at);
      const raw = await this.read(at);
      if (raw === null) {
        this.warn({ code: 'UNREADABLE', message: `${this.about}: service record not in memory: walk ended`, address: hex(at) });
        return;
      }
      const prev = raw.dv.getBigUint64(this.layout.prevEntry, true);
      if (!valid(raw)) {
        this.warn({ code: 'SMEAR', message: `${this.about}: service record with an impossible Order, Start or State skipped`, address: hex(at) });
        if (++damagedInARow === MAX_DAMAGED_IN_A_ROW) return;
        at = prev;
        continue;
      }
      damagedInARow = 0;
      yield await this.record(at, raw);
      at = prev;
    }
  }

  private async read(at: bigint): Promise<RawRecord | null> {
    const bytes = await this.space.read(at, this.extent);
    if (!bytes) return null;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const l = this.layout;
    return {
      dv,
      order: dv.getUint32(l.order, true),
      start: SERVICE_START[dv.getUint32(l.start, true)],
      state: SERVICE_STATE.get(dv.getUint32(l.state, true)),
    };
  }

  /** The row's values, as Volatility reads them: PID and binary only where the service runs. */
  private async record(offset: bigint, raw: RawRecord & { start: string; state: string }): Promise<ServiceRecord> {
    const l = this.layout;
    const pointer = (field: number) => raw.dv.getBigUint64(field, true);
    const type = typeName(raw.dv.getUint32(l.type, true));
    const running = raw.state === 'SERVICE_RUNNING';
    const isProcess = type.includes('PROCESS');
    let pid: number | null = null;
    let binary: string | null = null;
    if (running && isProcess) {
      const process = pointer(l.serviceProcess);
      pid = await this.space.readU32(process + BigInt(l.processId));
      const path = await this.space.readU64(process + BigInt(l.binaryPath));
      binary = path === null ? null : await this.string(path);
    } else if (running) {
      binary = await this.string(pointer(l.driverName));
    }
    return {
      offset,
      order: raw.order,
      pid,
      start: raw.start,
      state: raw.state,
      type,
      name: await this.string(pointer(l.serviceName)),
      display: await this.string(pointer(l.displayName)),
      binary,
    };
  }

  /** NUL-terminated UTF-16 of at most MAX_STRING_BYTES; null when its first page is unreadable. */
  private string(address: bigint): Promise<string | null> {
    return readWideString(this.space, address, MAX_STRING_BYTES);
  }
}

/** Volatility's test: Order at most 0xFFFF, Start and State values of its enumerations. */
function valid(raw: RawRecord): raw is RawRecord & { start: string; state: string } {
  return raw.order <= 0xffff && raw.start !== undefined && raw.state !== undefined;
}

/** The type bits Volatility names, joined with '|' ("SERVICE_WIN32_OWN_PROCESS|SERVICE_INTERACTIVE_PROCESS"). */
function typeName(type: number): string {
  return SERVICE_TYPE_BITS.filter(([bit]) => (type & bit) !== 0)
    .map(([, name]) => name)
    .join('|');
}
