import { hex } from '../../io/hex.ts';
import type { VadNode, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn, WarningCode } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { readUnicodeString } from './unicode-string.ts';
import { protectionName } from './vad-protection.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { VadNode };

const SHORT = '_MMVAD_SHORT';
const LONG = '_MMVAD';
/** An AVL tree of 2^20 nodes is less than 30 deep; a deeper walk is smear or a loop. */
const MAX_DEPTH = 64;
const MAX_NODES = 1 << 20;
/** The x64 _POOL_HEADER is 16 bytes before the node; its PoolTag is at +4 (Volatility reads node - 12). */
const TAG_BEFORE_NODE = 12n;
/** VadNode.ParentValue's low bits hold the balance. */
const PARENT_FLAGS = 3n;
/** _EX_FAST_REF's reference count bits on x64. */
const FAST_REF_BITS = 15n;
const KERNEL_HALF = 0xffff_8000_0000_0000n;
const PAGE_SHIFT = 12n;
/** StartingVpnHigh / EndingVpnHigh hold the VPN's bits 32.. (address bits 44..). */
const VPN_HIGH_SHIFT = 44n;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The process's VADs as Volatility 3's MMVAD_SHORT.traverse yields them: pre-order from VadRoot.Root; each node's
 * pool tag picks its type ('VadS', 'VadF': _MMVAD_SHORT; any other 'Vad…': _MMVAD); a node below the root without a
 * VAD tag is skipped with its subtree, the root without one is not listed but its subtrees are. Bounded (depth,
 * nodes) and cycle-guarded; at most one warning of each kind per tree.
 */
export async function* vadTree(kernel: WindowsKernel, p: WindowsProcess, warn: Warn): AsyncGenerator<VadNode> {
  if (!p.view.has('VadRoot.Root')) {
    warn({ code: 'UNSUPPORTED', message: 'this Windows keeps its VAD tree in a form memscope does not read (no _EPROCESS.VadRoot.Root)' });
    return;
  }
  const root = p.view.u64('VadRoot.Root');
  if (root === 0n) return;
  const warned = new Set<WarningCode>();
  const once = (code: WarningCode, message: string, address: bigint): void => {
    if (warned.has(code)) return;
    warned.add(code);
    warn({ code, message: `VAD tree: ${message}`, address: hex(address) });
  };
  const visited = new Set<bigint>();
  // Pre-order with an explicit stack: right pushed before left.
  const stack: { node: bigint; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node < KERNEL_HALF) {
      once('SMEAR', `a child pointer leads outside the kernel: subtree skipped`, node);
      continue;
    }
    if (visited.has(node)) {
      once('SMEAR', `a child pointer leads back to a node already listed (a cycle): subtree skipped`, node);
      continue;
    }
    if (depth > MAX_DEPTH) {
      once('LIMIT', `deeper than ${MAX_DEPTH} levels: the nodes below are not listed`, node);
      continue;
    }
    if (visited.size >= MAX_NODES) {
      once('LIMIT', `more than ${MAX_NODES} nodes: the rest are not listed`, node);
      return;
    }
    visited.add(node);
    const tag = await poolTag(kernel, node);
    const type = tag === 'VadS' || tag === 'VadF' ? SHORT : tag?.startsWith('Vad') ? LONG : null;
    if (type === null && depth > 0) {
      if (tag === null) once('UNREADABLE', `node not readable: it and its subtree are not listed`, node);
      else once('SMEAR', `node whose pool tag is not a VAD's: it and its subtree are not listed`, node);
      continue;
    }
    const view = await kernel.readStruct(type ?? SHORT, node);
    if (!view) {
      once('UNREADABLE', `node not readable: it and its subtree are not listed`, node);
      continue;
    }
    if (type !== null) yield await readVad(kernel, view, tag);
    const core = view.struct === LONG ? 'Core.' : '';
    for (const child of [view.u64(`${core}VadNode.Right`), view.u64(`${core}VadNode.Left`)])
      if (child !== 0n) stack.push({ node: child, depth: depth + 1 });
  }
}

/** The 4 tag bytes of the node's pool header, as Volatility decodes them (UTF-8); null when unreadable or not text. */
async function poolTag(kernel: WindowsKernel, node: bigint): Promise<string | null> {
  const bytes = await kernel.vm.read(node - TAG_BEFORE_NODE, 4);
  if (!bytes) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

async function readVad(kernel: WindowsKernel, v: StructView, tag: string | null): Promise<VadNode> {
  // An _MMVAD starts with its _MMVAD_SHORT (Core).
  const core = v.struct === LONG ? 'Core.' : '';
  const high = (field: string): bigint => (v.has(core + field) ? BigInt(v.u8(core + field)) << VPN_HIGH_SHIFT : 0n);
  const protectionIndex = v.int(`${core}u.VadFlags.Protection`);
  return {
    address: v.address,
    start: (BigInt(v.u32(`${core}StartingVpn`)) << PAGE_SHIFT) | high('StartingVpnHigh'),
    end: (((BigInt(v.u32(`${core}EndingVpn`)) + 1n) << PAGE_SHIFT) | high('EndingVpnHigh')) - 1n,
    tag,
    protectionIndex,
    protection: protectionName(protectionIndex),
    commitCharge: v.int(`${core}u1.VadFlags1.CommitCharge`),
    privateMemory: v.int(`${core}u.VadFlags.PrivateMemory`),
    vadType: v.int(`${core}u.VadFlags.VadType`),
    parent: v.u64(`${core}VadNode.ParentValue`) & ~PARENT_FLAGS,
    file: v.struct === LONG ? await mappedFile(kernel, v.u64('Subsection')) : null,
  };
}

/** Subsection → ControlArea → FilePointer (an _EX_FAST_REF) → _FILE_OBJECT.FileName; null when absent, empty or unreadable. */
async function mappedFile(kernel: WindowsKernel, subsection: bigint): Promise<string | null> {
  const { layout, vm } = kernel;
  if (subsection === 0n) return null;
  const controlArea = await vm.readU64(subsection + BigInt(layout.offset('_SUBSECTION', 'ControlArea')));
  if (!controlArea) return null;
  const fastRef = await vm.readU64(controlArea + BigInt(layout.offset('_CONTROL_AREA', 'FilePointer')));
  if (fastRef === null || fastRef === 0n) return null;
  const header = await vm.read((fastRef & ~FAST_REF_BITS) + BigInt(layout.offset('_FILE_OBJECT', 'FileName')), 16);
  const name = header && (await readUnicodeString(vm, header));
  return name || null;
}
