import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from '../../src/io/memory-source.ts';
import { openImage } from '../../src/formats/detect.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import { instantiateMemscopeWasm, WalkStatus } from '../../src/layers/wasm-module.ts';
import { VirtualLayer } from '../../src/layers/virtual-layer.ts';
import { windowsImage } from '../helpers/windows-session.ts';

const STATUS_FOR_KIND: Record<string, number[]> = {
  'large-page': [WalkStatus.mapped],
  page: [WalkStatus.mapped],
  'self-map': [WalkStatus.mapped],
  transition: [WalkStatus.transition],
  prototype: [WalkStatus.prototype],
  pagefile: [WalkStatus.notPresent],
  'not-mapped': [WalkStatus.notPresent],
};

describe('Windows page walks against the generator’s sample translations', () => {
  it('every sample address translates (or fails) the way the generator wrote it', async () => {
    const { image, expected } = await windowsImage({ size: 32 * 1024 * 1024, seed: 5 });
    const phys = await openImage(new MemorySource(image, 'generated.raw'));
    const wasm = await instantiateMemscopeWasm(await loadWasmBytesNode());
    assert.ok(expected.translations.length >= 10);
    const kinds = new Set(expected.translations.map((t) => t.kind));
    for (const k of ['large-page', 'page', 'transition', 'prototype', 'self-map', 'not-mapped']) assert.ok(kinds.has(k as never), `sample kind ${k}`);
    for (const t of expected.translations) {
      const layer = new VirtualLayer(phys, wasm, Number(t.dtb), { windows: true });
      const [lookup] = await layer.lookupMany([BigInt(t.virtual)]);
      assert.ok(STATUS_FOR_KIND[t.kind]!.includes(lookup!.status), `${t.what} (${t.virtual}): status ${lookup!.status}`);
      assert.equal(
        lookup!.paddr === null ? null : `0x${lookup!.paddr.toString(16)}`,
        t.kind === 'prototype' || t.kind === 'pagefile' ? null : t.physical,
        t.what,
      );
    }
  });
});
