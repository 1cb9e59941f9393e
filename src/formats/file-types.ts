/**
 * Everyday file types whose first bytes say what they are: named when a file memscope opened as raw memory holds no
 * OS, so that the summary can say what was given instead. (Archives, compressed files and ELF files other than
 * cores are refused when opened: foreign-signatures.ts, elf-core.ts.) Physical page 0 of a real capture holds the
 * real-mode interrupt table or zeros, never these.
 */
interface FileType {
  readonly what: string;
  readonly matches: (head: Uint8Array) => boolean;
}

const startsWith =
  (...magic: number[]) =>
  (head: Uint8Array) =>
    head.length >= magic.length && magic.every((b, i) => head[i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** "MZ" and, where e_lfanew points, "PE\0\0": a Windows program or DLL (an "MZ" alone is too weak a sign). */
function isPortableExecutable(head: Uint8Array): boolean {
  if (!startsWith(...ascii('MZ'))(head) || head.length < 0x40) return false;
  const peAt = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0x3c, true);
  return peAt + 4 <= head.length && startsWith(...ascii('PE\0\0'))(head.subarray(peAt));
}

const FILE_TYPES: readonly FileType[] = [
  { what: 'a PNG image', matches: startsWith(0x89, ...ascii('PNG\r\n'), 0x1a, 0x0a) },
  { what: 'a JPEG image', matches: startsWith(0xff, 0xd8, 0xff) },
  { what: 'a GIF image', matches: (head) => startsWith(...ascii('GIF87a'))(head) || startsWith(...ascii('GIF89a'))(head) },
  { what: 'a PDF document', matches: startsWith(...ascii('%PDF-')) },
  { what: 'an SQLite database', matches: startsWith(...ascii('SQLite format 3\0')) },
  { what: 'a Windows program or DLL (MZ/PE executable)', matches: isPortableExecutable },
];

/** The minimum a caller must pass: enough for every signature, and for a PE header at a usual offset. */
export const FILE_TYPE_PROBE_BYTES = 4096;

/** What the file is by its first bytes ("a PNG image"), or undefined. */
export function identifyFileType(head: Uint8Array): string | undefined {
  return FILE_TYPES.find((t) => t.matches(head))?.what;
}
