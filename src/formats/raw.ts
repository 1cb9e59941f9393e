import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { RunMappedLayer } from '../layers/run-mapped-layer.ts';
import type { ContainerFormat } from './container-format.ts';

/** Below every real format's confidence: raw is what a file is when nothing else recognises it. */
const FALLBACK_CONFIDENCE = 0.01;

/**
 * Flat physical memory: file offset = physical address (QEMU pmemsave, dd of /dev/mem, .vmem,
 * zero-padded dumps). The whole file is one run; zero padding is simply memory that reads as zeros.
 */
export const rawFormat: ContainerFormat = {
  id: 'raw',
  description: 'raw physical memory (file offset = physical address)',

  probe(_head, size) {
    return size > 0 ? FALLBACK_CONFIDENCE : 0;
  },

  async open(source): Promise<PhysicalLayer> {
    return new RunMappedLayer({ format: 'raw', source, runs: [{ start: 0, length: source.size, fileOffset: 0 }] });
  },
};
