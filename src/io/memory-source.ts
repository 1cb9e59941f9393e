import type { ByteSource } from './byte-source.ts';
import { readEnd } from './read-bounds.ts';

/** A ByteSource over bytes already in memory (tests, small samples). Reads return copies. */
export class MemorySource implements ByteSource {
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'memory',
  ) {
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = readEnd(this.name, this.size, offset, length);
    return end > offset ? this.bytes.slice(offset, end) : new Uint8Array(0);
  }

  async readInto(offset: number, target: Uint8Array): Promise<number> {
    const end = readEnd(this.name, this.size, offset, target.length);
    if (end > offset) target.set(this.bytes.subarray(offset, end));
    return Math.max(0, end - offset);
  }
}
