import type { ErrorCode } from '../errors.ts';

/** A file start that says "this is not (yet) readable memory", and what to tell the user. */
export interface ForeignSignature {
  readonly magic: readonly number[];
  /** UNKNOWN_FORMAT: not a memory image as it stands; UNSUPPORTED: a memory format without a module yet. */
  readonly code: Extract<ErrorCode, 'UNKNOWN_FORMAT' | 'UNSUPPORTED'>;
  readonly what: string;
  readonly advice: (fileName: string) => string;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const decompress = (command: string) => (file: string) => `decompress it first (${command} ${file})`;
const notYet = () => 'this format is not supported yet';

/**
 * Checked only when no container format recognised the file, so that an archive or a memory format
 * without a module is refused instead of being misread as raw memory. When a format module is
 * added (kdump, 32-bit Windows crash dump, ...), its entry here goes. gzip files and ZIPs are unpacked before
 * (src/formats/unpack).
 */
export const foreignSignatures: readonly ForeignSignature[] = [
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], code: 'UNKNOWN_FORMAT', what: 'an xz-compressed file', advice: decompress('xz -dk') },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], code: 'UNKNOWN_FORMAT', what: 'a 7-Zip archive', advice: decompress('7z x') },
  { magic: ascii('BZh'), code: 'UNKNOWN_FORMAT', what: 'a bzip2-compressed file', advice: decompress('bunzip2 -k') },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], code: 'UNKNOWN_FORMAT', what: 'a zstd-compressed file', advice: decompress('zstd -d') },
  { magic: ascii('PAGEDUMP'), code: 'UNSUPPORTED', what: 'a 32-bit Windows crash dump', advice: notYet },
];

export function findForeignSignature(head: Uint8Array): ForeignSignature | undefined {
  return foreignSignatures.find((s) => head.length >= s.magic.length && s.magic.every((b, i) => head[i] === b));
}
