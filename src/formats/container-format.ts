import type { ByteSource } from '../io/byte-source.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';

/** Bytes handed to `probe`: the start of the file (up to PROBE_BYTES). */
export const PROBE_BYTES = 64 * 1024;

export interface ContainerFormat {
  readonly id: string;
  readonly description: string;
  /** Confidence 0..1 that `head` (first bytes of a file of `size` bytes) is this format. */
  probe(head: Uint8Array, size: number): number;
  /** Parses the container; throws MemscopeError (TRUNCATED / CORRUPT) naming the file on failure. */
  open(source: ByteSource): Promise<PhysicalLayer>;
}
