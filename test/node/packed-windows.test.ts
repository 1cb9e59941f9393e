/**
 * One generated Windows image, raw and packed every way a responder may hand it over — gzip, ZIP (stored, deflated),
 * go-winpmem's Snappy- and S2-framed streams — gives the same windows.pslist and windows.psscan rows (psscan reads the
 * whole image through each container's scan path) as the raw image.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { openSession } from '../../src/engine/session.ts';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { TempFileStorage } from '../../src/node/temp-file-storage.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { concat } from '../fixtures/windows/encoding.ts';
import { framedStream } from '../helpers/framed-writer.ts';
import { collect, windowsImage } from '../helpers/windows-session.ts';

const MiB = 1024 * 1024;

describe('a generated Windows image, raw and packed', () => {
  it('gives the same windows.pslist and windows.psscan rows from gzip, ZIP, Snappy and S2 as from the raw image', async () => {
    const { image } = await windowsImage({ size: 32 * MiB });
    const packings: Record<string, { bytes: Uint8Array; format: string; packaging?: string }> = {
      'memory.raw': { bytes: image, format: 'raw' },
      'memory.raw.gz': { bytes: new Uint8Array(gzipSync(image, { level: 1 })), format: 'raw', packaging: 'gzip (decompressed to a temporary copy)' },
      'stored.zip': {
        bytes: zipSync({ 'memory.raw': [image, { level: 0 }] }),
        format: 'raw',
        packaging: 'ZIP member memory.raw (stored, read in place)',
      },
      'deflated.zip': {
        bytes: zipSync({ 'memory.raw': [image, { level: 1 }] }),
        format: 'raw',
        packaging: 'ZIP member memory.raw (deflated, decompressed to a temporary copy)',
      },
      'memory.snappy': { bytes: concat(framedStream(image)), format: 'snappy' },
      'memory.s2': { bytes: concat(framedStream(image, 's2')), format: 's2' },
    };
    const env = { ...(await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false })), unpack: { temp: new TempFileStorage() } };
    let reference: unknown;
    for (const [name, { bytes, format, packaging }] of Object.entries(packings)) {
      const session = await openSession(new MemorySource(bytes, name), env);
      try {
        assert.equal(session.physical.format, format, name);
        assert.equal(session.physical.packaging, packaging, name);
        const rows = { pslist: await collect(session, 'windows.pslist'), psscan: await collect(session, 'windows.psscan') };
        assert.ok(rows.pslist.length > 5, `${name}: ${rows.pslist.length} processes`);
        if (reference === undefined) reference = rows;
        else assert.deepEqual(rows, reference, name);
      } finally {
        await session.close();
      }
    }
  });
});
