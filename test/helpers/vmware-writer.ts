// A writer of VMware suspended state files (.vmss / .vmsn), written from the format's description (Volatility 3's
// vmware layer, the crash utility's vmware_vmss.h), separate from memscope's reader: header (magic, version, group
// count), a table of 80-byte groups (64-byte name, position, size), each group's tags ending in a zero tag.
import { concat, uint } from '../fixtures/windows/encoding.ts';

export const VMSS_MAGIC = 0xbed2bed2;
/** The oldest magic: blocks state their sizes in 32 bits. */
export const VMSS_MAGIC_V0 = 0xbed0bed0;
export const PAGE = 4096;

/** A tag: a plain value (of `size` bytes, 4 unless said), or a block of bytes (stored, or flagged compressed). */
export type VmwareTag =
  | { readonly name: string; readonly indices?: readonly number[]; readonly value: number | bigint; readonly size?: number }
  | {
      readonly name: string;
      readonly indices?: readonly number[];
      readonly block: Uint8Array;
      readonly padding?: number;
      readonly compressed?: boolean;
    };

export interface VmwareGroup {
  readonly name: string;
  readonly tags: readonly VmwareTag[];
}

export interface VmwareRegionSpec {
  readonly physicalPage: number;
  readonly filePage: number;
  readonly pages: number;
}

/** One tag's bytes: flags (index count << 6 | value size, 62/63 for blocks), name length, name, 32-bit indices, value. */
export function tagBytes(tag: VmwareTag, blockSizeBytes = 8): Uint8Array {
  const indices = tag.indices ?? [];
  const name = new TextEncoder().encode(tag.name);
  const head = (valueSize: number) =>
    concat([Uint8Array.of((indices.length << 6) | valueSize, name.length), name, ...indices.map((i) => uint(i, 4))]);
  if ('value' in tag) {
    const size = tag.size ?? 4;
    return concat([head(size), uint(tag.value, size)]);
  }
  const padding = tag.padding ?? 0;
  const sizes = [uint(tag.block.length, blockSizeBytes), uint(tag.block.length, blockSizeBytes), uint(padding, 2)];
  return concat([head(tag.compressed ? 62 : 63), ...sizes, new Uint8Array(padding), tag.block]);
}

/** The tags of `regions`: regionsCount, then each region's regionPageNum, regionPPN and regionSize. */
export function regionTags(regions: readonly VmwareRegionSpec[]): VmwareTag[] {
  return [
    { name: 'regionsCount', value: regions.length },
    ...regions.flatMap((r, i) => [
      { name: 'regionPageNum', indices: [i], value: r.filePage },
      { name: 'regionPPN', indices: [i], value: r.physicalPage },
      { name: 'regionSize', indices: [i], value: r.pages },
    ]),
  ];
}

/** A state file of these groups; `groupCount` overrides the count the header states. */
export function buildVmwareState(groups: readonly VmwareGroup[], options: { magic?: number; groupCount?: number } = {}): Uint8Array {
  const magic = options.magic ?? VMSS_MAGIC;
  const blockSizeBytes = (magic & 0xf) === 0 ? 4 : 8;
  const bodies = groups.map((g) => concat([...g.tags.map((t) => tagBytes(t, blockSizeBytes)), new Uint8Array(2)]));
  let position = 12 + groups.length * 80;
  const table = groups.map((g, i) => {
    const name = new Uint8Array(64);
    name.set(new TextEncoder().encode(g.name));
    const entry = concat([name, uint(position, 8), uint(bodies[i]!.length, 8)]);
    position += bodies[i]!.length;
    return entry;
  });
  return concat([uint(magic, 4), uint(8, 4), uint(options.groupCount ?? groups.length, 4), ...table, ...bodies]);
}

/**
 * A state file as VMware writes one around the memory group: a Checkpoint group before it, a cpu group after, and in
 * "memory" a value and the regions' tags (none: a flat memory); `memory`, the guest's memory as a "Memory" block
 * (a .vmsn of a snapshot with memory), after `memoryPadding` bytes of padding.
 */
export function vmwareState(
  regions: readonly VmwareRegionSpec[] | undefined,
  options: { memory?: Uint8Array; memoryPadding?: number; magic?: number } = {},
): Uint8Array {
  const memoryTags: VmwareTag[] = [{ name: 'align_mask', value: 0xffff }, ...(regions ? regionTags(regions) : [])];
  if (options.memory) memoryTags.push({ name: 'Memory', indices: [0, 0], block: options.memory, padding: options.memoryPadding ?? 0 });
  return buildVmwareState(
    [
      {
        name: 'Checkpoint',
        tags: [
          { name: 'ProductName', block: new TextEncoder().encode('VMware ESX') },
          { name: 'checkpointVersion', value: 8 },
        ],
      },
      { name: 'memory', tags: memoryTags },
      { name: 'cpu', tags: [{ name: 'cpu:numVCPUs', value: 1 }] },
    ],
    { magic: options.magic },
  );
}
