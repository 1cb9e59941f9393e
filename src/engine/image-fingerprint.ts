import type { ByteSource } from '../io/byte-source.ts';
import type { PhysicalRun } from '../layers/physical-layer.ts';

const HEAD_BYTES = 1024 * 1024;
const SAMPLES = 8;
const SAMPLE_BYTES = 64 * 1024;

/**
 * Identifies an image cheaply (its first MiB, eight samples spread over it, and its size) so that
 * discovery results can be reused when the same image is opened again. Not a content hash.
 */
export async function imageFingerprint(source: ByteSource): Promise<string> {
  const parts = [await source.read(0, Math.min(HEAD_BYTES, source.size))];
  for (let i = 1; i <= SAMPLES; i++) {
    const at = Math.floor((source.size * i) / (SAMPLES + 1));
    parts.push(await source.read(at, Math.min(SAMPLE_BYTES, source.size - at)));
  }
  // Two independent 32-bit FNV-1a lanes over 32-bit words: fast, and 64 bits of identity.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ (source.size >>> 0);
  for (const part of parts) {
    const dv = new DataView(part.buffer, part.byteOffset, part.byteLength);
    for (let o = 0; o + 4 <= part.length; o += 4) {
      const w = dv.getUint32(o, true);
      a = Math.imul(a ^ w, 0x01000193);
      b = Math.imul(b ^ w ^ (o >>> 2), 0x5bd1e995);
    }
  }
  const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
  return `${source.size.toString(16)}-${hex(a)}${hex(b)}`;
}

/**
 * An image opened with companion files (a VMware .vmem with its .vmss) maps the same file differently than opened
 * alone: its fingerprint adds the physical layout, so what was found at physical addresses of one is not reused for the other.
 */
export function layoutFingerprint(fingerprint: string, runs: readonly PhysicalRun[]): string {
  let h = 0x811c9dc5;
  for (const run of runs)
    for (const n of [run.start, run.length, run.fileOffset]) h = Math.imul(h ^ (n % 0x100000000) ^ Math.floor(n / 0x100000000), 0x01000193);
  return `${fingerprint}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}
