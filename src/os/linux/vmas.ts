import { hex } from '../../io/hex.ts';
import type { Vma } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import type { TaskRecord } from './task.ts';

/** More mappings than vm.max_map_count allows by default (65530): smear. */
const MAX_VMAS = 1 << 17;
const MAX_TREE_DEPTH = 16;
/** lib/maple_tree.c node encoding: type in bits 3-6 of the pointer, node 256-byte aligned. */
const MAPLE_NODE_MASK = 0xffn;
const MAPLE_LEAF_64 = 1;
const MAPLE_ARANGE_64 = 3;
/** Kernel objects live in the upper half; anything else in a leaf is a reserved value, not a VMA. */
const KERNEL_HALF = 0xffff800000000000n;

/**
 * A process's memory mappings in address order: the maple tree mm->mm_mt (6.1+) or the mm->mmap list
 * (before). Node and entry counts are capped; a damaged tree yields what could be read, with a warning.
 */
export async function listVmas(kernel: LinuxKernel, task: TaskRecord, warn: Warn): Promise<Vma[]> {
  if (task.mm === 0n) return [];
  const who = `PID ${task.pid} (${task.comm})`;
  const mm = await kernel.readStruct('mm_struct', task.mm);
  if (!mm) {
    warn({ code: 'UNREADABLE', message: `${who}: mm_struct not readable`, address: hex(task.mm) });
    return [];
  }
  const addresses = mm.has('mm_mt') ? await mapleEntries(kernel, mm.u64('mm_mt.ma_root'), who, warn) : await listedVmas(kernel, mm, who, warn);
  const vmas: Vma[] = [];
  for (const address of addresses) {
    const v = await kernel.readStruct('vm_area_struct', address);
    if (!v) {
      warn({ code: 'UNREADABLE', message: `${who}: mapping not readable`, address: hex(address) });
      continue;
    }
    const start = v.u64('vm_start');
    const end = v.u64('vm_end');
    if (end <= start) continue;
    vmas.push({
      address,
      start,
      end,
      flags: v.u64('vm_flags'),
      pgoff: v.u64('vm_pgoff'),
      file: v.u64('vm_file'),
      ops: v.u64('vm_ops'),
      privateData: v.u64('vm_private_data'),
    });
  }
  return vmas.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The non-empty leaf entries of a maple tree (depth-first, left to right). */
async function mapleEntries(kernel: LinuxKernel, root: bigint, who: string, warn: Warn): Promise<bigint[]> {
  const entries = new Set<bigint>();
  const seen = new Set<bigint>();
  const layout = kernel.layout;
  // Leaves and range nodes are struct maple_range_64 (16 slots), allocation-range nodes maple_arange_64 (10).
  const slotsOf = (type: number) => {
    const struct = type === MAPLE_ARANGE_64 ? 'maple_arange_64' : 'maple_range_64';
    return { at: layout.offset(struct, 'slot'), count: layout.fieldSize(struct, 'slot') / 8 };
  };
  const isVma = (entry: bigint) => entry >= KERNEL_HALF && (entry & 7n) === 0n;
  const visit = async (entry: bigint, depth: number): Promise<void> => {
    if (entry === 0n || entries.size >= MAX_VMAS) return;
    if (!isNode(entry)) {
      if (isVma(entry)) entries.add(entry);
      return;
    }
    const node = entry & ~MAPLE_NODE_MASK;
    const type = Number((entry >> 3n) & 0xfn);
    if (seen.has(node) || depth > MAX_TREE_DEPTH || type < MAPLE_LEAF_64 || type > MAPLE_ARANGE_64) {
      warn({ code: 'SMEAR', message: `${who}: memory map tree is damaged (a loop, too deep or an unknown node type)`, address: hex(node) });
      return;
    }
    seen.add(node);
    const { at, count } = slotsOf(type);
    const slots = await kernel.vm.read(node + BigInt(at), 8 * count);
    if (!slots) return warn({ code: 'UNREADABLE', message: `${who}: memory map tree node not readable`, address: hex(node) });
    const dv = new DataView(slots.buffer, slots.byteOffset, slots.byteLength);
    for (let i = 0; i < count; i++) {
      const slot = dv.getBigUint64(i * 8, true);
      if (type !== MAPLE_LEAF_64) await visit(slot, depth + 1);
      else if (isVma(slot) && !isNode(slot)) entries.add(slot);
    }
  };
  await visit(root, 0);
  return [...entries];
}

/** xa_is_node(): internal entries end in 0b10 and are above the first page of reserved values. */
function isNode(entry: bigint): boolean {
  return (entry & 3n) === 2n && entry > 4096n;
}

/** mm->mmap → vm_next, before the maple tree (6.1). */
async function listedVmas(kernel: LinuxKernel, mm: StructView, who: string, warn: Warn): Promise<bigint[]> {
  const out: bigint[] = [];
  const seen = new Set<bigint>();
  const next = BigInt(kernel.layout.offset('vm_area_struct', 'vm_next'));
  // `from` holds the link to `vma`: the mm_struct, then each mapping.
  for (let vma = mm.u64('mmap'), from = mm.address; vma !== 0n;) {
    if (seen.has(vma)) {
      warn({ code: 'SMEAR', message: `${who}: memory map list loops back to ${hex(vma)}; rest skipped`, address: hex(from) });
      break;
    }
    if (seen.size >= MAX_VMAS) {
      warn({ code: 'LIMIT', message: `${who}: memory map list longer than ${MAX_VMAS} entries; rest skipped`, address: hex(from) });
      break;
    }
    seen.add(vma);
    out.push(vma);
    const link = await kernel.vm.readU64(vma + next);
    if (link === null) break;
    from = vma;
    vma = link;
  }
  return out;
}
