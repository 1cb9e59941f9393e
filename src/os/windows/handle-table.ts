import { hex } from '../../io/hex.ts';
import type { HandleEntry, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { decodeTypeIndex, objectTypeNames } from './object-header.ts';
import { handleObjectName } from './object-names.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { HandleEntry };

const PAGE_SIZE = 0x1000;
const POINTERS_PER_PAGE = PAGE_SIZE / 8;
/** TableCode's low bits: the number of pointer levels above the pages of entries (0-2 on Windows 8+ x64). */
const LEVEL_MASK = 3n;
const MAX_LEVEL = 2;
/** Windows caps a process at 2^24 handles; more is smear or a loop. */
export const MAX_HANDLES = 1 << 24;
/** Pages of entries MAX_HANDLES fill, and the pointer pages above them. */
const MAX_PAGES = MAX_HANDLES / 256 + POINTERS_PER_PAGE + 1;
/** _HANDLE_TABLE_ENTRY.GrantedAccessBits: 25 bits of HighValue. */
const ACCESS_MASK = 0x1ff_ffffn;

/** A used entry before its object is read. */
interface RawEntry {
  readonly value: number;
  readonly header: bigint;
  readonly access: number;
}

/** What went wrong in one table, reported once each at the end. */
interface Trouble {
  unreadablePages: bigint[];
  repeatedPages: bigint[];
  unreadableHeaders: bigint[];
  unknownTypes: bigint[];
  limited: boolean;
}

/**
 * The used entries of the process's handle table in handle order (Windows 8+ x64 _HANDLE_TABLE_ENTRY: the object
 * header's address in ObjectPointerBits, the access in GrantedAccessBits). Entries whose LowValue is 0 are free;
 * like Volatility 3, an entry whose object header's TypeIndex is 0, or names no type, is not a handle.
 */
export async function* processHandles(kernel: WindowsKernel, process: WindowsProcess, warn: Warn, signal?: AbortSignal): AsyncGenerator<HandleEntry> {
  if (!process.view.has('ObjectTable')) return;
  const table = process.view.u64('ObjectTable');
  if (table === 0n) return;
  const tableCode = await kernel.vm.readU64(table + BigInt(kernel.layout.offset('_HANDLE_TABLE', 'TableCode')));
  if (tableCode === null) {
    warn({ code: 'UNREADABLE', message: `handle table at ${hex(table)} is not in the captured memory`, address: hex(table) });
    return;
  }
  const level = Number(tableCode & LEVEL_MASK);
  const types = await objectTypeNames(kernel);
  const bodyOffset = BigInt(kernel.layout.offset('_OBJECT_HEADER', 'Body'));
  const trouble: Trouble = { unreadablePages: [], repeatedPages: [], unreadableHeaders: [], unknownTypes: [], limited: false };
  const walk = new TableWalk(kernel, trouble);
  for await (const raw of walk.entries(tableCode & ~LEVEL_MASK, level, 0)) {
    signal?.throwIfAborted();
    const header = await kernel.readStruct('_OBJECT_HEADER', raw.header);
    if (!header) {
      trouble.unreadableHeaders.push(raw.header);
      continue;
    }
    const stored = header.u8('TypeIndex');
    const index = await decodeTypeIndex(kernel, stored, raw.header);
    const type = index === null ? undefined : types.get(index);
    if (type === undefined) {
      trouble.unknownTypes.push(raw.header);
      continue;
    }
    const object = raw.header + bodyOffset;
    yield { value: raw.value, object, access: raw.access, type, name: await handleObjectName(kernel, type, header, object) };
  }
  report(warn, table, tableCode, trouble);
}

class TableWalk {
  private readonly seen = new Set<bigint>();
  private count = 0;

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly trouble: Trouble,
  ) {}

  /** The entries below the page at `page` of `level`; `first` is the index of its first entry. */
  async *entries(page: bigint, level: number, first: number): AsyncGenerator<RawEntry> {
    if (level > MAX_LEVEL || this.trouble.limited) return;
    if (this.seen.size >= MAX_PAGES) {
      this.trouble.limited = true;
      return;
    }
    if (this.seen.has(page)) {
      this.trouble.repeatedPages.push(page);
      return;
    }
    this.seen.add(page);
    const bytes = await this.kernel.vm.read(page, PAGE_SIZE);
    if (!bytes) {
      this.trouble.unreadablePages.push(page);
      return;
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const entrySize = this.kernel.layout.size('_HANDLE_TABLE_ENTRY');
    const perPage = PAGE_SIZE / entrySize;
    if (level > 0) {
      const span = perPage * POINTERS_PER_PAGE ** (level - 1);
      for (let i = 0; i < POINTERS_PER_PAGE; i++) {
        const next = dv.getBigUint64(i * 8, true);
        if (next !== 0n) yield* this.entries(next, level - 1, first + i * span);
      }
      return;
    }
    for (let i = 0; i < perPage; i++) {
      const low = dv.getBigUint64(i * entrySize, true);
      if (low === 0n) continue;
      if (++this.count > MAX_HANDLES) {
        this.trouble.limited = true;
        return;
      }
      // As the kernel decodes it: an arithmetic shift keeps the header's upper (kernel) address bits.
      const header = BigInt.asUintN(64, (BigInt.asIntN(64, low) >> 16n) & ~0xfn);
      yield { value: (first + i) * 4, header, access: Number(dv.getBigUint64(i * entrySize + 8, true) & ACCESS_MASK) };
    }
  }
}

function report(warn: Warn, table: bigint, tableCode: bigint, t: Trouble): void {
  const level = Number(tableCode & LEVEL_MASK);
  const at = (list: readonly bigint[]): string => `${list.length === 1 ? '' : `${list.length}, the first `}at ${hex(list[0]!)}`;
  if (level > MAX_LEVEL) {
    warn({
      code: 'SMEAR',
      message: `handle table at ${hex(table)}: TableCode ${hex(tableCode)} claims level ${level}; no handles listed`,
      address: hex(table),
    });
  }
  if (t.unreadablePages.length > 0) {
    const first = t.unreadablePages[0]!;
    warn({
      code: 'UNREADABLE',
      message: `handle table at ${hex(table)}: pages not in the captured memory (${at(t.unreadablePages)}): their handles are missing`,
      address: hex(first),
    });
  }
  if (t.repeatedPages.length > 0) {
    const first = t.repeatedPages[0]!;
    warn({ code: 'SMEAR', message: `handle table at ${hex(table)}: pages reached twice (${at(t.repeatedPages)}): read once`, address: hex(first) });
  }
  if (t.limited)
    warn({
      code: 'LIMIT',
      message: `handle table at ${hex(table)}: more than ${MAX_HANDLES} handles or ${MAX_PAGES} pages; the rest not read`,
      address: hex(table),
    });
  if (t.unreadableHeaders.length > 0) {
    const first = t.unreadableHeaders[0]!;
    warn({ code: 'UNREADABLE', message: `handles to objects not in the captured memory skipped (${at(t.unreadableHeaders)})`, address: hex(first) });
  }
  if (t.unknownTypes.length > 0) {
    const first = t.unknownTypes[0]!;
    warn({ code: 'SMEAR', message: `handles to objects of no known type skipped (${at(t.unknownTypes)})`, address: hex(first) });
  }
}
