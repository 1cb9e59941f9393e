// Node-only test helper: writes images packed as responders hand them over, with writers independent of memscope's
// readers (node:zlib for gzip, fflate's streaming ZIP writer), streaming so that a large image is never held whole.
import { createReadStream, createWriteStream, openSync, writeSync, closeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** `from` gzipped into `to` (one member). */
export async function writeGzip(from: string, to: string, level = 1): Promise<void> {
  await pipeline(createReadStream(from), createGzip({ level }), createWriteStream(to));
}

/** A ZIP member: a file's bytes or bytes in memory, stored (level 0) or deflated. */
export interface ZipMemberSpec {
  readonly name: string;
  readonly from: string | Uint8Array;
  readonly level: 0 | 1 | 6 | 9;
}

/** A ZIP of `members` (sizes and CRCs in data descriptors, as streaming writers leave them). */
export async function writeZip(to: string, members: readonly ZipMemberSpec[]): Promise<void> {
  const fd = openSync(to, 'w');
  try {
    let failure: Error | null = null;
    const zip = new Zip((err, chunk) => {
      if (err) failure = err;
      else writeSync(fd, chunk);
    });
    for (const { name, from, level } of members) {
      const member = level === 0 ? new ZipPassThrough(name) : new ZipDeflate(name, { level });
      zip.add(member);
      if (typeof from !== 'string') {
        member.push(from, true);
        continue;
      }
      let last: Uint8Array | undefined;
      for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) {
        if (last) member.push(last);
        last = new Uint8Array(chunk as Buffer);
      }
      member.push(last ?? new Uint8Array(0), true);
    }
    zip.end();
    if (failure) throw failure;
  } finally {
    closeSync(fd);
  }
}
