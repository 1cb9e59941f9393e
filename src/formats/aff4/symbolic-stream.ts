import { AFF4 } from './aff4-metadata.ts';
import type { Aff4Stream } from './aff4-stream.ts';

const encoder = new TextEncoder();

/** The standard's symbolic streams: endless repetitions of one byte or a short text. */
const NAMED_PATTERNS: Readonly<Record<string, Uint8Array>> = {
  [`${AFF4}Zero`]: Uint8Array.of(0),
  [`${AFF4}UnknownData`]: encoder.encode('UNKNOWN'),
  [`${AFF4}UnreadableData`]: encoder.encode('UNREADABLEDATA'),
};
const SYMBOLIC_BYTE = new RegExp(`^${AFF4.replace(/[.#/]/g, '\\$&')}SymbolicStream([0-9a-f]{2})$`, 'i');

/** A symbolic stream: its pattern repeats from offset 0, so a read at `offset` starts `offset % length` into it. */
export class SymbolicStream implements Aff4Stream {
  readonly size = Infinity;

  private constructor(
    readonly urn: string,
    private readonly pattern: Uint8Array,
  ) {}

  /** The symbolic stream `urn` names, or undefined when it names none. */
  static forUrn(urn: string): SymbolicStream | undefined {
    const byte = SYMBOLIC_BYTE.exec(urn);
    const pattern = byte ? Uint8Array.of(parseInt(byte[1]!, 16)) : NAMED_PATTERNS[urn];
    return pattern && new SymbolicStream(urn, pattern);
  }

  /** aff4:Zero (or any all-zero pattern): its bytes are what a hole reads as anyway. */
  get zero(): boolean {
    return this.pattern.every((b) => b === 0);
  }

  async readInto(offset: number, target: Uint8Array): Promise<void> {
    if (this.pattern.length === 1) {
      target.fill(this.pattern[0]!);
      return;
    }
    for (let i = 0, p = offset % this.pattern.length; i < target.length; i++, p = p + 1 === this.pattern.length ? 0 : p + 1) {
      target[i] = this.pattern[p]!;
    }
  }
}
