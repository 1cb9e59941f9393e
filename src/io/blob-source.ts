import { MemscopeError } from '../errors.ts';
import type { ByteSource } from './byte-source.ts';
import { describeCause, readEnd } from './read-bounds.ts';

/** A ByteSource over a browser `Blob`/`File` (also works in Node ≥ 20, which has `Blob`). */
export class BlobSource implements ByteSource {
  readonly name: string;
  readonly size: number;

  constructor(
    readonly blob: Blob,
    name?: string,
  ) {
    // A File is a Blob with a name.
    this.name = name ?? ((blob as { readonly name?: string }).name || 'blob');
    this.size = blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = readEnd(this.name, this.size, offset, length);
    if (end <= offset) return new Uint8Array(0);
    try {
      return new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
    } catch (e) {
      throw new MemscopeError('READ_FAILED', `cannot read ${end - offset} bytes at offset ${offset}: ${describeCause(e)}`, this.name);
    }
  }
}
