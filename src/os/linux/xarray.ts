import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** XA_CHUNK_SHIFT 6: 64 slots a node. */
const SLOTS = 64;
/** An xarray indexes by unsigned long: no tree is deeper than 64 / 6 levels. */
const MAX_DEPTH = 11;
/** More entries than any kernel's IDR or page cache holds for one object; beyond it the tree is smear. */
const MAX_ENTRIES = 1 << 22;
/** Internal entries (xa_is_internal) below this are special values (retry, zero, sibling), not nodes. */
const MIN_NODE_ENTRY = 4096n;

/**
 * The entries of an xarray (a radix_tree_root since 4.20; the IDR's tree), in index order, each as its index and
 * the pointer stored: the head is an entry or a node (pointer | 2); a node's 64 slots the same, one level down.
 * Special internal entries are skipped; a node read twice, deeper than a tree can be, or unreadable ends that
 * branch with one warning, and the walk stops at MAX_ENTRIES.
 */
export async function* xarrayEntries(
  kernel: LinuxKernel,
  xarray: bigint,
  what: string,
  warn: Warn,
): AsyncGenerator<{ index: bigint; entry: bigint }> {
  const head = await kernel.vm.readU64(xarray + BigInt(kernel.layout.offset('xarray', 'xa_head')));
  if (head === null) {
    warn({ code: 'UNREADABLE', message: `${what}: the tree's root is not readable`, address: hex(xarray) });
    return;
  }
  const slotsAt = BigInt(kernel.layout.offset('xa_node', 'slots'));
  const shiftAt = kernel.layout.offset('xa_node', 'shift');
  const seen = new Set<bigint>();
  let count = 0;
  let stopped = false;
  const problem = (message: string, address: bigint) => {
    stopped = true;
    warn({ code: 'SMEAR', message: `${what}: ${message}`, address: hex(address) });
  };
  async function* walk(entry: bigint, base: bigint, depth: number): AsyncGenerator<{ index: bigint; entry: bigint }> {
    if (entry === 0n) return;
    if ((entry & 3n) !== 2n) {
      if (++count > MAX_ENTRIES) {
        if (!stopped) problem(`more than ${MAX_ENTRIES} entries: the rest not read`, xarray);
        return;
      }
      yield { index: base, entry };
      return;
    }
    if (entry < MIN_NODE_ENTRY) return;
    const node = entry - 2n;
    if (seen.has(node) || depth > MAX_DEPTH)
      return problem(seen.has(node) ? 'a node is reached twice' : 'nodes nest deeper than an xarray can', node);
    seen.add(node);
    const bytes = await kernel.vm.read(node, Number(slotsAt) + SLOTS * 8);
    if (!bytes) return problem('a node is not readable', node);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shift = BigInt(bytes[shiftAt]!);
    for (let i = 0; i < SLOTS && count <= MAX_ENTRIES; i++) {
      yield* walk(view.getBigUint64(Number(slotsAt) + i * 8, true), base + (BigInt(i) << shift), depth + 1);
    }
  }
  yield* walk(head, 0n, 0);
}
