import type { ByteSource } from '../io/byte-source.ts';
import type { AddressRange, ContainerNote, OsHints, PhysicalLayer, PhysicalRun } from './physical-layer.ts';

/**
 * The layer of an image that came packed in another file (a gzip file, a ZIP member): the inner container's layer
 * as it is, saying how it was packed, with the unpacking's warnings first.
 */
export class PackedLayer implements PhysicalLayer {
  readonly readInto?: (address: number, target: Uint8Array) => Promise<void>;
  readonly warnings: readonly string[];

  constructor(
    private readonly inner: PhysicalLayer,
    readonly packaging: string,
    unpackWarnings: readonly string[],
  ) {
    this.warnings = [...unpackWarnings, ...inner.warnings];
    const readInto = inner.readInto?.bind(inner);
    if (readInto) this.readInto = readInto;
  }

  get format(): string {
    return this.inner.format;
  }
  get source(): ByteSource {
    return this.inner.source;
  }
  get runs(): readonly PhysicalRun[] {
    return this.inner.runs;
  }
  get directMapped(): boolean | undefined {
    return this.inner.directMapped;
  }
  get size(): number {
    return this.inner.size;
  }
  get capturedBytes(): number {
    return this.inner.capturedBytes;
  }
  get notes(): readonly ContainerNote[] {
    return this.inner.notes;
  }
  get hints(): OsHints | undefined {
    return this.inner.hints;
  }
  get patterned(): readonly AddressRange[] | undefined {
    return this.inner.patterned;
  }
  get details(): PhysicalLayer['details'] {
    return this.inner.details;
  }

  read(address: number, length: number): Promise<Uint8Array> {
    return this.inner.read(address, length);
  }
}
