import { md5 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import type { ByteSource } from '../io/byte-source.ts';

/**
 * Bytes hashed per read: large enough to keep the hashes busy, small enough that plugin runs sharing the engine
 * worker get their turn between reads (hashing 2 MiB takes some 20 ms).
 */
const CHUNK = 2 * 1024 * 1024;

/** The image file's hashes, as chain-of-custody records give them (lower-case hex). */
export interface ImageHashes {
  readonly sha256: string;
  readonly md5: string;
}

/**
 * SHA-256 and MD5 of the whole file as given (the container, not the physical memory it describes), read once in
 * order; `onProgress` after each chunk; stops with an AbortError when `signal` aborts.
 */
export async function hashImage(source: ByteSource, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ImageHashes> {
  const a = sha256.create();
  const b = md5.create();
  for (let at = 0; at < source.size;) {
    signal?.throwIfAborted();
    const chunk = await source.read(at, Math.min(CHUNK, source.size - at));
    if (chunk.length === 0) break;
    a.update(chunk);
    b.update(chunk);
    at += chunk.length;
    onProgress?.(at, source.size);
  }
  return { sha256: bytesToHex(a.digest()), md5: bytesToHex(b.digest()) };
}
