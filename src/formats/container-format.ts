import type { ByteSource } from '../io/byte-source.ts';
import type { CompanionFiles } from '../io/companion-files.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';

/** Progress of opening an image: bytes of the file done of `total`, and what is being done. */
export type OpenProgress = (done: number, total: number, stage: string) => void;

/** Bytes handed to `probe`: the start of the file (up to PROBE_BYTES). */
export const PROBE_BYTES = 64 * 1024;

export interface ContainerFormat {
  readonly id: string;
  readonly description: string;
  /** Confidence 0..1 that `head` (first bytes of a file of `size` bytes, named `name`) is this format. */
  probe(head: Uint8Array, size: number, name?: string): number;
  /**
   * Parses the container; throws MemscopeError (TRUNCATED / CORRUPT) naming the file on failure. `companions`: the
   * files that came with it, for a format split over two (VMware's .vmem and .vmss); `onProgress`: how far a long
   * opening step is (indexing the chunks of a compressed stream).
   */
  open(source: ByteSource, companions?: CompanionFiles, onProgress?: OpenProgress): Promise<PhysicalLayer>;
}
