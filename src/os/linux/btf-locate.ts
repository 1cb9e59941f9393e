import type { KernelReader } from './kallsyms-tables.ts';
import { indexOfBytes } from './byte-search.ts';

/** What every kernel .BTF section starts with (include/uapi/linux/btf.h): magic 0xeb9f, version 1, flags 0, hdr_len 24. */
const HEADER = Uint8Array.of(0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00);
const HEADER_SIZE = 24;
const CHUNK = 4 * 1024 * 1024;
/** Headers tried before the search gives up: a smeared image may hold copies of the magic anywhere. */
const MAX_CANDIDATES = 16;

/** Where a BTF blob lies: its header's address and the size its header gives. */
export interface BtfPlace {
  readonly start: bigint;
  readonly size: number;
}

/**
 * BTF headers in kernel memory from `start` for `length` bytes, each with the blob size its sections give
 * (hdr_len + the end of the later of the type and string sections): how the kernel's own BTF (__start_BTF) is
 * found when kallsyms cannot say where it is. At most `maxSize` bytes a blob; the caller parses each to confirm.
 */
export async function* btfCandidates(
  reader: KernelReader,
  start: bigint,
  length: number,
  maxSize: number,
  signal?: AbortSignal,
): AsyncGenerator<BtfPlace> {
  let candidates = 0;
  for (let at = 0; at < length && candidates < MAX_CANDIDATES; at += CHUNK) {
    signal?.throwIfAborted();
    const chunk = await reader.readPadded(start + BigInt(at), Math.min(CHUNK, length - at) + HEADER_SIZE);
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (
      let hit = indexOfBytes(chunk, HEADER, 0, CHUNK);
      hit >= 0 && candidates < MAX_CANDIDATES;
      hit = indexOfBytes(chunk, HEADER, hit + 1, CHUNK)
    ) {
      const [typeOff, typeLen, strOff, strLen] = [8, 12, 16, 20].map((o) => dv.getUint32(hit + o, true)) as [number, number, number, number];
      const size = HEADER_SIZE + Math.max(typeOff + typeLen, strOff + strLen);
      if (typeLen === 0 || strLen === 0 || size > maxSize) continue;
      candidates++;
      yield { start: start + BigInt(at + hit), size };
    }
  }
}
