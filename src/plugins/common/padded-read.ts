import type { VirtualMemory } from '../api.ts';

const PAGE = 0x1000;

/**
 * `length` bytes at `address` with what is not mapped or not captured as zeros, as Volatility's padded reads give
 * them; null when not one page of them can be read. Reads the whole range at once, page by page only where that fails.
 */
export async function readPadded(space: VirtualMemory, address: bigint, length: number): Promise<Uint8Array | null> {
  const whole = await space.read(address, length);
  if (whole) return whole;
  const out = new Uint8Array(length);
  let any = false;
  const end = address + BigInt(length);
  for (let at = address; at < end;) {
    const next = (at / BigInt(PAGE) + 1n) * BigInt(PAGE);
    const piece = Number((next < end ? next : end) - at);
    const bytes = await space.read(at, piece);
    if (bytes) {
      out.set(bytes, Number(at - address));
      any = true;
    }
    at += BigInt(piece);
  }
  return any ? out : null;
}
