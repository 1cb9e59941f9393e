import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { physicalWindow } from '../../src/layers/physical-window.ts';

describe('physicalWindow', () => {
  const layer = {
    format: 'elf',
    runs: [
      { start: 0, length: 0x1000, fileOffset: 0x100 },
      { start: 0x3000, length: 0x3000, fileOffset: 0x1100 },
      { start: 0x8000, length: 0x1000, fileOffset: -1 },
    ],
    size: 0x9000,
    read: async (address: number, length: number) => Uint8Array.of(address & 0xff, length & 0xff),
  } as unknown as PhysicalLayer;

  it('cuts runs to the window, moving file offsets with them', async () => {
    const w = physicalWindow(layer, 0x800, 0x4800);
    assert.deepEqual(w.runs, [
      { start: 0x800, length: 0x800, fileOffset: 0x900 },
      { start: 0x3000, length: 0x1800, fileOffset: 0x1100 },
    ]);
    assert.equal(w.capturedBytes, 0x2000);
    assert.equal(w.size, 0x9000);
    assert.deepEqual(await w.read(0x8001, 2), Uint8Array.of(1, 2));
    assert.deepEqual(physicalWindow(layer, 0x7000, 0x9000).runs, [{ start: 0x8000, length: 0x1000, fileOffset: -1 }]);
    assert.deepEqual(physicalWindow(layer, 0x1000, 0x3000).runs, []);
  });
});
