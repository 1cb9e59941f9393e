import type { ByteSource } from './byte-source.ts';

/**
 * The files that came with an image, for formats whose memory and metadata are two files (a VMware `.vmem` and its
 * `.vmss`/`.vmsn`): named on the command line, dropped with it on the page, or beside it on disk with the same stem.
 * Whoever made it closes what it opened, when the image is closed.
 */
export interface CompanionFiles {
  /** The companion whose name ends in one of `extensions` (".vmss"; the first that is there wins), or undefined. */
  find(extensions: readonly string[]): Promise<ByteSource | undefined>;
  /** Whether `find` has given one: the image is then more than its own file (its identity includes the pair's layout). */
  readonly used: boolean;
  /** Closes the companions opened. */
  close?(): Promise<void>;
}

/** Whether `name` ends in `extension` (".vmem"), whatever the case. */
export function hasExtension(name: string, extension: string): boolean {
  return name.toLowerCase().endsWith(extension.toLowerCase());
}
