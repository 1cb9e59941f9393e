import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Hash (`algorithm`: sha256, sha1, md5) of ranges of a file, one after the other, read in 4 MiB pieces. */
export function hashRange(path: string, algorithm: string, ranges: readonly { offset: number; length: number }[]): string {
  const hash = createHash(algorithm);
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  try {
    for (const { offset, length } of ranges) {
      for (let done = 0; done < length;) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), offset + done);
        assert.ok(n > 0, `${path} ends before ${offset + done}`);
        hash.update(buffer.subarray(0, n));
        done += n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
