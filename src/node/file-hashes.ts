// Node-only: imports node:crypto and node:fs. Browser code must not import this module.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ImageHashes } from '../engine/image-hash.ts';

/** SHA-256 and MD5 of a file as it is on disk (Node's crypto, one read in order); `onProgress` after each chunk. */
export async function hashFile(path: string, onProgress?: (done: number) => void): Promise<ImageHashes> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 }) as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    md5.update(chunk);
    done += chunk.length;
    onProgress?.(done);
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}
