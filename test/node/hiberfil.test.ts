/**
 * Windows 8+ hibernation files: a generated Windows image wrapped by an independent writer
 * (test/helpers/hiberfil-writer.ts: zero pages left out, sets Huffman-, Plain- or not compressed, the kernel restore set
 * listed from the top down) reads back byte for byte and gives windows.pslist, dlllist and handles the raw image's rows;
 * older or 32-bit hibernation files are refused as UNSUPPORTED; a truncated file keeps its readable part with a warning;
 * damaged sets read as zeros (counted as damaged pages), descriptors above the highest page and oversized sets give CORRUPT; random damage gives only
 * MemscopeErrors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { writeHiberfil } from '../helpers/hiberfil-writer.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { untracked } from '../helpers/untracked.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const PAGE = 4096;
const open = (bytes: Uint8Array) => openImage(new MemorySource(bytes, 'hiberfil.sys'), { cache: false });

/** The first compression set of the boot restore set (page 1): its header word's file offset. */
const FIRST_SET = PAGE;

describe('hiberfil.sys of a generated Windows image', async () => {
  const { image, expected } = await windowsImage({ size: 32 * 1024 * 1024, seed: 7 });
  const hiberfil = writeHiberfil(image);

  it('reads back as the raw image: its non-zero pages captured, the zero pages holes', async () => {
    const layer = await open(hiberfil);
    assert.equal(layer.format, 'hiberfil');
    assert.deepEqual(layer.warnings, []);
    assert.equal(layer.size, image.length, 'HighestPhysicalPage + 1 pages');
    assert.match(
      String(layer.details?.find(([label]) => label === 'Compression sets')?.[1]),
      /^\d+ Xpress LZ77\+Huffman, \d+ Xpress Plain LZ77, \d+ stored$/,
    );
    let nonZero = 0;
    for (let at = 0; at < image.length; at += PAGE) if (image.subarray(at, at + PAGE).some((b) => b !== 0)) nonZero++;
    assert.equal(layer.capturedBytes, nonZero * PAGE);
    assert.ok(Buffer.from(await layer.read(0, image.length)).equals(image));
  });

  it('pslist, dlllist and handles give the raw image’s rows', async () => {
    const env = await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false });
    const session = await untracked(() => openSession(new MemorySource(hiberfil, 'hiberfil.sys'), env));
    const raw = await openWindowsSession(image);
    try {
      assert.equal(session.summary.os, 'windows');
      assert.equal(session.summary.dtb, expected.kernel.dtb);
      for (const plugin of ['windows.pslist', 'windows.dlllist', 'windows.handles']) {
        const [hibernated, flat] = [await collectRun(session, plugin), await collectRun(raw, plugin)];
        assert.deepEqual(hibernated, flat, plugin);
        assert.ok(hibernated.rows.length >= expected.processes.filter((p) => p.linked).length, `${plugin}: ${hibernated.rows.length} rows`);
      }
    } finally {
      await raw.close();
      await session.close();
    }
  });

  it('a file cut inside the kernel restore set keeps the sets before the cut, with a warning', async () => {
    const layer = await open(hiberfil.subarray(0, hiberfil.length - 100_000));
    assert.match(
      layer.warnings.join('\n'),
      /^file is truncated: the kernel restore set breaks off in the compression set at file offset 0x[0-9a-f]+; \d+ of its \d+ pages read as zeros$/,
    );
    // The kernel set is written from the top down: the highest pages come first and are all there; some low ones are not.
    const top = image.length - 1024 * PAGE;
    assert.ok(Buffer.from(await layer.read(top, image.length - top)).equals(image.subarray(top)));
    assert.ok(!Buffer.from(await layer.read(0, top)).equals(image.subarray(0, top)));
  });

  it('a damaged compressed set reads as zeros, its pages counted in the layer’s damage naming the set', async () => {
    const damaged = hiberfil.slice();
    const word = new DataView(damaged.buffer).getUint32(FIRST_SET, true);
    assert.ok(word >>> 31, 'the first set is LZ77+Huffman');
    damaged.fill(0x11, FIRST_SET + 4 + 8 * (word & 0xff), FIRST_SET + 4 + 8 * (word & 0xff) + 256);
    const layer = await open(damaged);
    const firstPage = Number(new DataView(damaged.buffer).getBigUint64(FIRST_SET + 4, true) >> 4n);
    assert.deepEqual(await layer.read(firstPage * PAGE, 16), new Uint8Array(16));
    assert.equal(layer.damaged?.count, 1);
    assert.match(
      layer.damaged!.describe('hiberfil'),
      new RegExp(
        `^hiberfil: 1 page could not be decoded and read as zeros \\(the first: page at physical 0x${(firstPage * PAGE).toString(16)}: hibernation file: the compression set at file offset 0x${(FIRST_SET + 4 + 8 * (word & 0xff)).toString(16)} does not decompress`,
      ),
    );
  });
});

describe('hiberfil.sys headers and set headers that cannot be used', () => {
  /** A header page (build 19041 layout) and a boot restore set of `sets`; no kernel restore set. */
  const file = (signature: string, lengthSelf: number, pages: number, sets: Uint8Array) => {
    const out = new Uint8Array(PAGE + sets.length);
    const view = new DataView(out.buffer);
    out.set(new TextEncoder().encode(signature), 0);
    view.setUint32(0x0c, lengthSelf, true);
    view.setUint32(0x18, PAGE, true);
    view.setBigUint64(0x58, BigInt(pages), true);
    view.setBigUint64(0x68, 1n, true);
    view.setBigUint64(0x398, 255n, true);
    out.set(sets, PAGE);
    return out;
  };
  /** A stored set of `count` descriptors, each for one page from `page` on. */
  const storedSet = (page: number, count: number, pagesEach = 1) => {
    const set = new Uint8Array(4 + 8 * count + count * pagesEach * PAGE);
    const view = new DataView(set.buffer);
    view.setUint32(0, count | ((count * pagesEach * PAGE) << 8), true);
    for (let i = 0; i < count; i++) view.setBigUint64(4 + 8 * i, (BigInt(page + i * pagesEach) << 4n) | BigInt(pagesEach - 1), true);
    set.fill(0x5a, 4 + 8 * count);
    return set;
  };

  it('a stored set reads as its pages', async () => {
    const layer = await open(file('HIBR', 0x3e0, 2, storedSet(7, 2)));
    assert.deepEqual(layer.runs, [{ start: 7 * PAGE, length: 2 * PAGE, fileOffset: -1 }]);
    assert.deepEqual(await layer.read(7 * PAGE, 4), Uint8Array.of(0x5a, 0x5a, 0x5a, 0x5a));
  });

  it('Windows 7 and older, and unknown header sizes, are UNSUPPORTED, not raw memory', async () => {
    await rejectsWith(open(file('hibr', 0xa8, 1, storedSet(0, 1))), 'UNSUPPORTED', 'Windows 7 and older');
    await rejectsWith(open(file('HIBR', 0x340, 1, storedSet(0, 1))), 'UNSUPPORTED', 'header of 832 bytes');
  });

  it('random damage to a small file gives its pages, warnings or MemscopeErrors, never another error', async () => {
    const image = new Uint8Array(256 * PAGE);
    for (let page = 0; page < 256; page += 3) image.fill(page, page * PAGE, page * PAGE + 1000 + page);
    const hiberfil = writeHiberfil(image, { bootPages: 20 });
    for (let round = 0, x = 12345; round < 300; round++) {
      const damaged = hiberfil.slice();
      for (let k = 0; k < 4; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        damaged[PAGE + (x % (damaged.length - PAGE))] ^= 1 << (x >>> 29);
      }
      try {
        const layer = await open(damaged);
        await layer.read(0, image.length);
      } catch (e) {
        assert.ok(isMemscopeError(e), `round ${round}: ${String(e)}`);
      }
    }
  });

  it('a page above the highest physical page, a set of more than 16 pages, an empty set: CORRUPT', async () => {
    await rejectsWith(open(file('HIBR', 0x3e0, 1, storedSet(300, 1))), 'CORRUPT', 'above the highest page 0xff');
    await rejectsWith(open(file('HIBR', 0x3e0, 17, storedSet(0, 17))), 'CORRUPT', 'holds 17 pages, more than 16');
    await rejectsWith(open(file('HIBR', 0x3e0, 1, new Uint8Array(16))), 'CORRUPT', 'is empty');
  });
});
