import { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { MemoryRead, MemorySpace } from './engine-api.ts';

/** Largest read the hex view may ask for. */
export const MAX_MEMORY_READ = 64 * 1024;
const PAGE = 4096;
const U64_END = 1n << 64n;

/** "0x1aa000" or "1744896" → an address below 2^64, else BAD_REQUEST. */
export function parseAddress(text: string): bigint {
  const trimmed = text.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(trimmed)) throw new MemscopeError('BAD_REQUEST', `not an address: "${text.slice(0, 40)}" (hex 0x… or decimal)`);
  const address = BigInt(trimmed);
  if (address >= U64_END) throw new MemscopeError('BAD_REQUEST', `address ${trimmed} is beyond 64 bits`);
  return address;
}

export function checkReadLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_MEMORY_READ) {
    throw new MemscopeError('BAD_REQUEST', `read length must be 1 to ${MAX_MEMORY_READ} bytes, got ${length}`);
  }
}

/** A space that came over the worker boundary must be one of MemorySpace's shapes (a PID a whole number), else BAD_REQUEST. */
export function checkSpace(space: MemorySpace): void {
  if (space === 'physical' || space === 'kernel') return;
  if (space?.kind === 'process' && Number.isSafeInteger(space.pid) && space.pid >= 0) return;
  throw new MemscopeError('BAD_REQUEST', 'the address space must be "physical", "kernel" or a process by its PID');
}

/** The result offsets where the pages of [address, address + length) begin: 0, then each page boundary. */
function pageStarts(address: bigint, length: number): number[] {
  const inPage = Number(address % BigInt(PAGE));
  const starts = [0];
  for (let at = PAGE - inPage; at < length; at += PAGE) starts.push(at);
  return starts;
}

export async function readPhysical(layer: PhysicalLayer, address: bigint, length: number): Promise<MemoryRead> {
  const bytes = new Uint8Array(length);
  const unmapped: number[] = [];
  const starts = pageStarts(address, length);
  const reads: Promise<void>[] = [];
  for (const [i, at] of starts.entries()) {
    const end = starts[i + 1] ?? length;
    const from = address + BigInt(at);
    const captured = from < BigInt(layer.size) && layer.runs.some((r) => r.start < Number(from) + (end - at) && Number(from) < r.start + r.length);
    if (!captured) unmapped.push(at);
    else reads.push(layer.read(Number(from), end - at).then((piece) => bytes.set(piece.subarray(0, end - at), at)));
  }
  await Promise.all(reads);
  return { address: hex(address), bytes, unmapped };
}

export async function readVirtual(layer: VirtualLayer, address: bigint, length: number): Promise<MemoryRead> {
  const starts = pageStarts(address, length);
  const pages = starts.map((at) => address + BigInt(at));
  const frames = await layer.translateMany(pages.filter((p) => p < U64_END));
  const unmapped = starts.filter((_, i) => (frames[i] ?? null) === null);
  // A fresh buffer the caller may transfer (readPadded may hand back a view of shared bytes).
  const bytes = new Uint8Array(length);
  bytes.set(await layer.readPadded(address, length));
  return { address: hex(address), bytes, unmapped };
}

function hex(address: bigint): string {
  return `0x${address.toString(16)}`;
}
