import type { PhysicalLayer } from '../layers/physical-layer.ts';

/** Places read, spread evenly over the captured memory, and bytes at each: at most 2 MiB whatever the image's size. */
const PLACES = 32;
const SAMPLE_BYTES = 64 * 1024;
const PAGE = 4096;

/**
 * Bits of entropy per byte from which a sample counts as near-random. Compressed or encrypted data measures 7.99 or
 * more over 64 KiB; memory (code, heaps, page tables, text, zero fill) stays well below over that span.
 */
export const RANDOM_ENTROPY = 7.9;

/** What samples of an image's memory look like. */
export interface ContentSample {
  readonly places: number;
  readonly bytes: number;
  /** Places whose every byte is zero. */
  readonly zeroPlaces: number;
  /** Places at RANDOM_ENTROPY bits per byte or more. */
  readonly randomPlaces: number;
  readonly minEntropy: number;
  readonly maxEntropy: number;
}

/** Shannon entropy of `bytes` in bits per byte (0: one value throughout; 8: every value equally often). */
export function entropy(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Uint32Array(256);
  for (const b of bytes) counts[b]!++;
  let bits = 0;
  for (const n of counts) {
    if (n === 0) continue;
    const p = n / bytes.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function describeSamples(samples: readonly Uint8Array[]): ContentSample {
  const entropies = samples.map(entropy);
  return {
    places: samples.length,
    bytes: samples.reduce((n, s) => n + s.length, 0),
    zeroPlaces: samples.filter((s) => s.every((b) => b === 0)).length,
    randomPlaces: entropies.filter((e) => e >= RANDOM_ENTROPY).length,
    minEntropy: entropies.length > 0 ? Math.min(...entropies) : 0,
    maxEntropy: entropies.length > 0 ? Math.max(...entropies) : 0,
  };
}

/** Reads up to PLACES samples spread evenly over the captured runs (never the whole image) and describes them. */
export async function sampleMemory(physical: PhysicalLayer): Promise<ContentSample> {
  const captured = physical.capturedBytes;
  const places = Math.min(PLACES, Math.ceil(captured / SAMPLE_BYTES));
  const samples: Uint8Array[] = [];
  for (let i = 0; i < places; i++) {
    const at = Math.floor((i * captured) / places / PAGE) * PAGE;
    samples.push(await readCaptured(physical, at, Math.min(SAMPLE_BYTES, captured - at)));
  }
  return describeSamples(samples);
}

/** `length` bytes from `offset` into the captured memory (the runs laid end to end), within one run. */
async function readCaptured(physical: PhysicalLayer, offset: number, length: number): Promise<Uint8Array> {
  let before = 0;
  for (const run of physical.runs) {
    if (offset < before + run.length) {
      const within = offset - before;
      return physical.read(run.start + within, Math.min(length, run.length - within));
    }
    before += run.length;
  }
  return new Uint8Array(0);
}
