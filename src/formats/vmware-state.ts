import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { readExact } from '../io/read-exact.ts';

/**
 * A VMware suspended state or snapshot file (`.vmss`, `.vmsn`): a header (magic, version, group count), a table of
 * groups (64-byte name, file position, size), and in each group a run of tags ending in a zero tag. A tag is a byte of
 * flags (index count in bits 7-6, value size in bits 5-0), a byte of name length, the name, up to three 32-bit
 * indices, then the value; value sizes 62 and 63 mark a block (compressed / stored): its size on disk, its size in
 * memory (32-bit in the oldest version, else 64-bit), a 16-bit padding length, the padding, the bytes. The "memory"
 * group says where the guest's memory lies: regionsCount regions, each regionPageNum[i] pages into the memory (the
 * `.vmem`, or the state file's own "Memory" block) holding regionSize[i] pages of physical memory from page
 * regionPPN[i]. (Facts from Volatility 3's vmware layer and the crash utility's vmware_vmss.c.)
 */

/** Header magics; the low nibble is the version, 0 with 32-bit block sizes (0xbed0bed0, 0xbed2bed0), the others 64-bit. */
const MAGICS: ReadonlySet<number> = new Set([0xbed0bed0, 0xbed2bed0, 0xbed2bed2, 0xbed3bed3, 0xbad1bad1, 0xbad2bad2]);
const HEADER_BYTES = 12;
const GROUP_BYTES = 80;
const GROUP_NAME_BYTES = 64;
/** Real files have a few dozen groups and a few thousand tags in "memory"; far more is not a state file. */
const MAX_GROUPS = 4096;
const MAX_TAGS = 1 << 20;
/** Regions are a handful (below and above the PCI hole, a few more on NUMA hosts). */
export const MAX_REGIONS = 4096;
const BLOCK_STORED = 63;
const BLOCK_COMPRESSED = 62;
/** The longest tag head: flags, name length, a 255-byte name, three indices, two 64-bit sizes and the padding length. */
const MAX_TAG_HEAD = 2 + 255 + 3 * 4 + 2 * 8 + 2;
export const VMWARE_PAGE = 4096;

export interface VmwareRegion {
  /** First physical page (regionPPN). */
  readonly physicalPage: number;
  /** First page in the memory (regionPageNum): its offset in the .vmem, or in the Memory block. */
  readonly filePage: number;
  readonly pages: number;
}

export interface VmwareState {
  /** In the state file's order; empty when it states none (the memory is one region from physical address 0). */
  readonly regions: readonly VmwareRegion[];
  /** The memory the state file holds itself (a "Memory" block: snapshots taken with memory, older suspends). */
  readonly memory?: { readonly offset: number; readonly length: number };
}

export function isVmwareStateMagic(head: Uint8Array): boolean {
  return head.length >= 4 && MAGICS.has(new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true));
}

function corrupt(source: ByteSource, why: string): MemscopeError {
  return new MemscopeError('CORRUPT', `not a readable VMware state file: ${why}`, source.name);
}

/** Little-endian unsigned value of `bytes` (up to 8) as a safe integer, or undefined. */
function unsigned(bytes: Uint8Array): number | undefined {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** Where the "memory" group's tags start and where they must end. */
async function memoryGroup(source: ByteSource): Promise<{ start: number; end: number; sizeBytes: number }> {
  const header = new DataView((await readExact(source, 0, HEADER_BYTES, 'VMware state header')).buffer);
  const magic = header.getUint32(0, true);
  if (!MAGICS.has(magic)) throw corrupt(source, `unknown magic ${hex(magic)}`);
  const count = header.getUint32(8, true);
  if (count > MAX_GROUPS) throw corrupt(source, `${count} groups stated (more than ${MAX_GROUPS})`);
  const table = await readExact(source, HEADER_BYTES, count * GROUP_BYTES, `table of ${count} groups`);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let i = 0; i < count; i++) {
    const name = table.subarray(i * GROUP_BYTES, i * GROUP_BYTES + GROUP_NAME_BYTES);
    const text = String.fromCharCode(...name.subarray(0, name.indexOf(0) < 0 ? name.length : name.indexOf(0)));
    if (text !== 'memory') continue;
    const start = view.getBigUint64(i * GROUP_BYTES + GROUP_NAME_BYTES, true);
    const size = view.getBigUint64(i * GROUP_BYTES + GROUP_NAME_BYTES + 8, true);
    if (start < HEADER_BYTES || start >= BigInt(source.size)) throw corrupt(source, `its "memory" group starts at ${hex(start)}, outside the file`);
    // The group's size bounds its tags where it is stated and fits; some writers leave it 0.
    const end = size > 0n && start + size <= BigInt(source.size) ? Number(start + size) : source.size;
    return { start: Number(start), end, sizeBytes: (magic & 0xf) === 0 ? 4 : 8 };
  }
  throw corrupt(source, `no "memory" group among its ${count} groups`);
}

interface Tag {
  readonly name: string;
  readonly indices: readonly number[];
  /** A plain value; undefined for a block. */
  readonly value?: number;
  readonly block?: { readonly offset: number; readonly length: number; readonly compressed: boolean };
  /** Where the next tag starts. */
  readonly next: number;
}

/** The tag at `offset`, or null at the group's zero tag. Every length is checked against `end`. */
async function readTag(source: ByteSource, offset: number, end: number, sizeBytes: number): Promise<Tag | null> {
  const head = await source.read(offset, Math.min(MAX_TAG_HEAD, end - offset));
  const need = (n: number) => {
    if (n > head.length) throw corrupt(source, `the tag at ${hex(offset)} runs past the end of its group (${hex(end)})`);
  };
  need(2);
  const flags = head[0]!;
  const nameLength = head[1]!;
  if (flags === 0 && nameLength === 0) return null;
  const indexCount = flags >> 6;
  const valueSize = flags & 0x3f;
  let at = 2 + nameLength + indexCount * 4;
  need(at);
  const name = String.fromCharCode(...head.subarray(2, 2 + nameLength));
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const indices = Array.from({ length: indexCount }, (_, i) => view.getUint32(2 + nameLength + i * 4, true));
  if (valueSize !== BLOCK_STORED && valueSize !== BLOCK_COMPRESSED) {
    need(at + valueSize);
    const value = valueSize <= 8 ? unsigned(head.subarray(at, at + valueSize)) : undefined;
    return { name, indices, value, next: offset + at + valueSize };
  }
  need(at + 2 * sizeBytes + 2);
  // Its size on disk, then in memory (the same unless compressed), then the padding's length.
  const length = unsigned(head.subarray(at, at + sizeBytes));
  at += 2 * sizeBytes;
  const data = offset + at + 2 + view.getUint16(at, true);
  if (length === undefined || data + length > end) {
    throw corrupt(source, `the block "${name}" at ${hex(offset)} runs past the end of its group (${hex(end)})`);
  }
  return { name, indices, block: { offset: data, length, compressed: valueSize === BLOCK_COMPRESSED }, next: data + length };
}

/** The regions' three tags, by region index; each once. */
class RegionTags {
  readonly byIndex = new Map<number, Partial<Record<'physicalPage' | 'filePage' | 'pages', number>>>();

  constructor(private readonly source: ByteSource) {}

  set(tag: Tag, field: 'physicalPage' | 'filePage' | 'pages'): void {
    const index = tag.indices[0];
    if (tag.indices.length !== 1 || index === undefined || index >= MAX_REGIONS || tag.value === undefined) {
      throw corrupt(this.source, `bad tag ${tag.name}[${tag.indices.join('][')}] (one region index below ${MAX_REGIONS}, a number)`);
    }
    const region = this.byIndex.get(index) ?? {};
    if (region[field] !== undefined) throw corrupt(this.source, `${tag.name}[${index}] appears twice`);
    region[field] = tag.value;
    this.byIndex.set(index, region);
  }

  regions(count: number): VmwareRegion[] {
    if (count > MAX_REGIONS) throw corrupt(this.source, `regionsCount ${count} (more than ${MAX_REGIONS})`);
    return Array.from({ length: count }, (_, i) => {
      const { physicalPage, filePage, pages } = this.byIndex.get(i) ?? {};
      if (physicalPage === undefined || filePage === undefined || pages === undefined) {
        throw corrupt(this.source, `region ${i} of ${count} lacks its regionPPN, regionPageNum or regionSize`);
      }
      return { physicalPage, filePage, pages };
    });
  }
}

const REGION_FIELDS = { regionPPN: 'physicalPage', regionPageNum: 'filePage', regionSize: 'pages' } as const;

/** The "memory" group of a VMware state file: its regions and the memory it holds itself, if any. CORRUPT / TRUNCATED / UNSUPPORTED. */
export async function readVmwareState(source: ByteSource): Promise<VmwareState> {
  const { start, end, sizeBytes } = await memoryGroup(source);
  const regionTags = new RegionTags(source);
  let count = 0;
  let memory: VmwareState['memory'];
  let offset = start;
  for (let tags = 0; ; tags++) {
    if (tags === MAX_TAGS) throw corrupt(source, `more than ${MAX_TAGS} tags in its "memory" group`);
    if (offset >= end) throw corrupt(source, `its "memory" group has no end tag before ${hex(end)}`);
    const tag = await readTag(source, offset, end, sizeBytes);
    if (!tag) break;
    offset = tag.next;
    if (tag.name === 'regionsCount' && tag.indices.length === 0) {
      if (tag.value === undefined) throw corrupt(source, 'regionsCount is not a number');
      count = tag.value;
    } else if (tag.name in REGION_FIELDS) {
      regionTags.set(tag, REGION_FIELDS[tag.name as keyof typeof REGION_FIELDS]);
    } else if (tag.name === 'Memory' && tag.block) {
      if (memory) throw new MemscopeError('UNSUPPORTED', 'its memory is in more than one "Memory" block: not supported', source.name);
      if (tag.block.compressed) throw new MemscopeError('UNSUPPORTED', 'its "Memory" block is compressed: not supported', source.name);
      memory = { offset: tag.block.offset, length: tag.block.length };
    }
  }
  return { regions: regionTags.regions(count), ...(memory ? { memory } : {}) };
}
