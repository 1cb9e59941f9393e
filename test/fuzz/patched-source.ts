import type { ByteSource } from '../../src/io/byte-source.ts';

/** One change to the input file: `bytes` written over the file at `offset`. */
export interface Patch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * A ByteSource that reads another one with patches laid over it: the fuzzer's mutated input without a copy of the
 * image. Later patches win where they overlap. Having no file path, it also keeps the scan threads (which read the
 * file by its path) off the original bytes: scans read through it on the session's thread.
 */
export class PatchedSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private readonly patches: readonly Patch[];

  constructor(
    private readonly inner: ByteSource,
    patches: readonly Patch[],
  ) {
    this.name = inner.name;
    this.size = inner.size;
    this.patches = patches.filter((p) => p.offset < inner.size && p.bytes.length > 0);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = await this.inner.read(offset, length);
    this.overlay(offset, out);
    return out;
  }

  async readInto(offset: number, target: Uint8Array): Promise<number> {
    const done = this.inner.readInto ? await this.inner.readInto(offset, target) : this.copy(await this.inner.read(offset, target.length), target);
    this.overlay(offset, target.subarray(0, done));
    return done;
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  private copy(bytes: Uint8Array, target: Uint8Array): number {
    target.set(bytes);
    return bytes.length;
  }

  /** Writes the parts of the patches that fall in [offset, offset + out.length) into `out`. */
  private overlay(offset: number, out: Uint8Array): void {
    const end = offset + out.length;
    for (const p of this.patches) {
      const from = Math.max(offset, p.offset);
      const to = Math.min(end, p.offset + p.bytes.length, this.size);
      if (from < to) out.set(p.bytes.subarray(from - p.offset, to - p.offset), from - offset);
    }
  }
}
