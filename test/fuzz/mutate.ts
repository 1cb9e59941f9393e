import { Rng } from '../fixtures/windows/rng.ts';
import type { Patch } from './patched-source.ts';
import type { Target } from './targets.ts';

/** Bounds of a mutation: 1–200 runs of 1–64 bytes. */
export const MAX_RUNS = 200;
export const MAX_RUN_BYTES = 64;
/** Share of runs placed on a structure target rather than anywhere in the file. */
const TARGETED = 0.8;

/** Values that break sizes, counts, offsets and pointers (little-endian, written at the start of a run). */
const INTERESTING: readonly bigint[] = [
  0n,
  1n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x7fffffffffffffffn,
  0xffffffffffffffffn,
];

/** The seed of one run of a campaign: the same campaign seed, input and run number give the same mutation. */
export function runSeed(seed: number, label: string, run: number): number {
  let h = seed >>> 0;
  for (const c of `${label}#${run}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

function fill(rng: Rng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const style = rng.int(0, 9);
  if (style < 5) for (let i = 0; i < length; i++) bytes[i] = rng.int(0, 255);
  else if (style < 6) bytes.fill(0xff);
  else if (style < 7) return bytes;
  else {
    // An interesting value, repeated: a bad size, count or pointer wherever the run starts.
    const v = INTERESTING[rng.int(0, INTERESTING.length - 1)]!;
    const width = [1, 2, 4, 8][rng.int(0, 3)]!;
    for (let i = 0; i < length; i++) bytes[i] = Number((v >> BigInt((i % width) * 8)) & 0xffn);
  }
  return bytes;
}

/** Reads the unmutated file (the fuzzer's own handle on it). */
export type OriginalBytes = (offset: number, length: number) => Uint8Array;

/**
 * The bytes at one place of target `from` copied to the same place of `to` (8-byte aligned): a structure's list links
 * or pointers given to another of its kind, which makes lists that meet or loop (a process reached twice).
 */
function splice(rng: Rng, from: Target, to: Target, length: number, read: OriginalBytes): Patch {
  const span = Math.min(from.length, to.length);
  const at = Math.floor(rng.int(0, Math.max(0, span - 1)) / 8) * 8;
  return { offset: to.offset + at, bytes: read(from.offset + at, Math.min(length, span - at)) };
}

/**
 * A seeded mutation of a file of `size` bytes: 1–200 runs of 1–64 bytes, most of them inside the structure targets
 * of one or two kinds (header fields, page tables, list links, symbol tables, compressed data), the rest anywhere.
 * Some targeted runs copy bytes between two targets of a kind (`read` gives the file's own). Fewer runs are more
 * likely, so that single broken fields are tried often.
 */
export function mutation(seed: number, size: number, targets: readonly Target[], read?: OriginalBytes): Patch[] {
  const rng = new Rng(seed);
  const runs = rng.int(0, 1) === 0 ? rng.int(1, 8) : rng.int(1, MAX_RUNS);
  const byKind = new Map<string, Target[]>();
  for (const t of targets) {
    const list = byKind.get(t.kind);
    if (list) list.push(t);
    else byKind.set(t.kind, [t]);
  }
  // One or two kinds per mutation: smears on a fatal structure (kallsyms, BTF) do not hide the others every time.
  const all = [...byKind.values()];
  const kinds = all.length <= 1 ? all : [...new Set([rng.int(0, all.length - 1), rng.int(0, all.length - 1)])].map((i) => all[i]!);
  const patches: Patch[] = [];
  for (let i = 0; i < runs; i++) {
    const length = rng.int(1, MAX_RUN_BYTES);
    let offset: number;
    if (kinds.length > 0 && rng.int(0, 99) < TARGETED * 100) {
      // A kind first, so that a kind with many targets (one per process) does not crowd out the others.
      const ofKind = kinds[rng.int(0, kinds.length - 1)]!;
      const target = ofKind[rng.int(0, ofKind.length - 1)]!;
      const from = ofKind[rng.int(0, ofKind.length - 1)]!;
      if (read && from !== target && rng.int(0, 3) === 0) {
        patches.push(splice(rng, from, target, length, read));
        continue;
      }
      offset = target.offset + rng.int(0, Math.max(0, target.length - 1));
    } else offset = rng.int(0, Math.max(0, size - 1));
    patches.push({ offset, bytes: fill(rng, Math.min(length, size - offset)) });
  }
  return patches;
}
