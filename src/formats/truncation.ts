import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';

/** How a container's warning that the file ends before the memory it declares begins (every format says it so). */
export const TRUNCATED_FILE = 'file is truncated';

export function isTruncationWarning(warning: string): boolean {
  return warning.startsWith(TRUNCATED_FILE);
}

/** Counts memory a container declares but a truncated file does not hold, for one warning or one error. */
export class TruncationTally {
  private declared = 0;
  private missing = 0;
  private incomplete = 0;

  constructor(
    private readonly source: ByteSource,
    /** What a data range is called in this format, e.g. "PT_LOAD segment". */
    private readonly rangeName: string,
  ) {}

  /** A range of `length` data bytes at `fileOffset`: returns how many of them the file holds. */
  clip(fileOffset: number, length: number): number {
    const available = Math.max(0, Math.min(length, this.source.size - fileOffset));
    this.declared += length;
    if (available < length) {
      this.missing += length - available;
      this.incomplete++;
    }
    return available;
  }

  warnings(): string[] {
    if (this.incomplete === 0) return [];
    return [
      `${TRUNCATED_FILE} (${this.source.size} bytes): ${this.incomplete} ${this.rangeName}(s) incomplete, ` +
        `${this.missing} bytes (${hex(this.missing)}) of memory missing; they read as zeros`,
    ];
  }

  /** Declared data but none of it in the file: nothing to analyse → TRUNCATED. */
  throwIfNothingLeft(): void {
    if (this.declared > 0 && this.missing === this.declared) {
      throw new MemscopeError(
        'TRUNCATED',
        `${TRUNCATED_FILE}: it ends at ${hex(this.source.size)} (${this.source.size} bytes), ` +
          `before any of the ${this.declared} bytes of memory it declares`,
        this.source.name,
      );
    }
  }
}
