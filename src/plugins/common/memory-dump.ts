import type { OutputFile, PluginContext, VirtualMemory } from '../api.ts';
import { readPadded } from './padded-read.ts';

/** Bytes read and written at a time. */
const CHUNK = 1n << 20n;

/**
 * `length` bytes of `space` from `address` written to `file` at `offset`, what is not mapped or not captured as zeros
 * (Volatility's padded reads), a megabyte at a time; returns the offset after them.
 */
export async function writeMemory(
  ctx: Pick<PluginContext, 'signal'>,
  space: VirtualMemory,
  address: bigint,
  length: bigint,
  file: OutputFile,
  offset: number,
): Promise<number> {
  let at = offset;
  for (let done = 0n; done < length; done += CHUNK) {
    ctx.signal?.throwIfAborted();
    const size = Number(length - done < CHUNK ? length - done : CHUNK);
    await file.write((await readPadded(space, address + done, size)) ?? new Uint8Array(size), at);
    at += size;
  }
  return at;
}
