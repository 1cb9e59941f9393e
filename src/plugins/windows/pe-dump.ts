import type { OutputFile, PluginContext, VirtualMemory } from '../api.ts';
import { outputFile } from '../common/file-output.ts';
import { writeMemory } from '../common/memory-dump.ts';

/** Volatility 3's PE_MAX_EXTRACTION_SIZE: the largest SizeOfImage it rebuilds (256 MiB). */
const PE_MAX_EXTRACTION_SIZE = 256 * 1024 * 1024;
/** Volatility 3's words in the File output column for an image it could not write. */
export const PE_DUMP_FAILED = 'Error outputting file';
const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
const SECTION_HEADER_SIZE = 40;
/** Offsets in the optional header (the same in PE32 and PE32+ but for ImageBase's). */
const OPT = { imageBase32: 28, imageBase64: 24, sectionAlignment: 32, sizeOfImage: 56 } as const;
/** Offsets in an _IMAGE_SECTION_HEADER. */
const SECT = { virtualSize: 8, virtualAddress: 12, sizeOfRawData: 16, pointerToRawData: 20 } as const;

/** What the DOS and NT headers at an image's base say about its layout. */
interface PeLayout {
  readonly wide: boolean;
  readonly sizeOfImage: number;
  readonly sectionAlignment: number;
  /** Offsets from the base: the optional header and the section table. */
  readonly optionalHeader: number;
  readonly sectionTable: number;
  readonly sections: number;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/** The headers at `base` read as Volatility's get_nt_header reads them (PE32+ when Machine is AMD64); why not, when they are not a PE's. */
async function peLayout(space: VirtualMemory, base: bigint): Promise<PeLayout | string> {
  const dos = await space.read(base, 0x40);
  if (!dos) return 'its DOS header is not readable';
  if (u16(dos, 0) !== 0x5a4d) return `e_magic ${u16(dos, 0).toString(16).toUpperCase().padStart(4, '0')} is not a valid DOS signature`;
  const nt = u32(dos, 0x3c);
  const file = await space.read(base + BigInt(nt), 24 + OPT.sizeOfImage + 4);
  if (!file) return 'its NT headers are not readable';
  if (u32(file, 0) !== 0x4550) return `NT header signature ${u32(file, 0).toString(16).toUpperCase()} is not a valid`;
  const optionalHeader = nt + 24;
  const at = (field: number) => u32(file, 24 + field);
  return {
    wide: u16(file, 4) === IMAGE_FILE_MACHINE_AMD64,
    sizeOfImage: at(OPT.sizeOfImage),
    sectionAlignment: at(OPT.sectionAlignment),
    optionalHeader,
    sectionTable: optionalHeader + u16(file, 20),
    sections: u16(file, 6),
  };
}

/** Little-endian bytes of `value` in `size` bytes; null when it does not fit. */
function littleEndian(value: bigint, size: number): Uint8Array | null {
  if (value >= 1n << BigInt(8 * size)) return null;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * A section header as Volatility's reconstruct rewrites it: its raw data where it lies in memory (PointerToRawData =
 * VirtualAddress), SizeOfRawData and VirtualSize both VirtualSize rounded up to SectionAlignment; why not, when one of
 * its values is beyond the image.
 */
function rebuiltSectionHeader(header: Uint8Array, layout: PeLayout): Uint8Array | string {
  for (const [name, at] of [
    ['VirtualAddress', SECT.virtualAddress],
    ['VirtualSize', SECT.virtualSize],
    ['SizeOfRawData', SECT.sizeOfRawData],
  ] as const) {
    if (u32(header, at) > layout.sizeOfImage) return `a section's ${name} (0x${u32(header, at).toString(16)}) is beyond SizeOfImage`;
  }
  const virtualSize = u32(header, SECT.virtualSize);
  const rounded = Math.ceil(virtualSize / layout.sectionAlignment) * layout.sectionAlignment;
  const out = header.slice();
  const view = new DataView(out.buffer);
  view.setUint32(SECT.pointerToRawData, u32(header, SECT.virtualAddress), true);
  view.setUint32(SECT.sizeOfRawData, rounded, true);
  view.setUint32(SECT.virtualSize, rounded, true);
  return out;
}

/**
 * The PE image mapped at `base` of `space` rebuilt into `file` as Volatility 3's reconstruct() rebuilds it: the image
 * as it lies in memory, SizeOfImage bytes from its base (what is not mapped or not captured as zeros), streamed a
 * megabyte at a time; ImageBase set to `base`; each section header's raw data pointed at its place in memory. The
 * file is closed; returns null, or why the image could not be rebuilt (then the file holds what was written before,
 * as Volatility's does). Unlike Volatility, which writes the 48 bits its kernel layer keeps (a non-canonical
 * 0xf8065f200000 for a driver), ImageBase is the address the image is mapped at.
 */
export async function writePeImage(
  ctx: Pick<PluginContext, 'signal' | 'warn'>,
  space: VirtualMemory,
  base: bigint,
  file: OutputFile,
): Promise<string | null> {
  let length = 0;
  try {
    const layout = await peLayout(space, base);
    if (typeof layout === 'string') return layout;
    if (layout.sizeOfImage > PE_MAX_EXTRACTION_SIZE) return `the claimed SizeOfImage is too large: ${layout.sizeOfImage}`;
    length = await writeMemory(ctx, space, base, BigInt(layout.sizeOfImage), file, 0);
    const imageBase = layout.optionalHeader + (layout.wide ? OPT.imageBase64 : OPT.imageBase32);
    const fixed = littleEndian(base, layout.wide ? 8 : 4);
    if (fixed) {
      await file.write(fixed, imageBase);
      length = Math.max(length, imageBase + fixed.length);
    } else ctx.warn({ code: 'UNSUPPORTED', message: `PE at 0x${base.toString(16)}: its base does not fit a 32-bit ImageBase, left unfixed` });
    if (layout.sections > 0 && layout.sectionAlignment === 0) return 'its SectionAlignment is 0';
    for (let i = 0; i < layout.sections; i++) {
      ctx.signal?.throwIfAborted();
      const at = layout.sectionTable + i * SECTION_HEADER_SIZE;
      const header = await space.read(base + BigInt(at), SECTION_HEADER_SIZE);
      if (!header) return `section header ${i} is not readable`;
      const rebuilt = rebuiltSectionHeader(header, layout);
      if (typeof rebuilt === 'string') return rebuilt;
      await file.write(rebuilt, at);
      length = Math.max(length, at + SECTION_HEADER_SIZE);
    }
    return null;
  } finally {
    await file.close(length);
  }
}

/**
 * --dump of the PE image at `base`: rebuilt (writePeImage) into a new file named `name`; the File output cell — the
 * file's name, or, with a warning naming `what`, Volatility's `Error outputting file` (its file name when `keepName`:
 * windows.pslist names the file it opened even when the image in it could not be rebuilt).
 */
export async function dumpPe(
  ctx: Pick<PluginContext, 'output' | 'signal' | 'warn'>,
  space: VirtualMemory,
  base: bigint,
  name: string,
  { what, keepName = false }: { what: string; keepName?: boolean },
): Promise<string> {
  const file = await outputFile(ctx, name);
  if (typeof file === 'string') return file;
  const failure = await writePeImage(ctx, space, base, file);
  if (failure === null) return file.name;
  ctx.warn({ code: 'UNREADABLE', message: `${what}: PE at 0x${base.toString(16)} not rebuilt: ${failure}; ${file.name} holds what was written` });
  return keepName ? file.name : PE_DUMP_FAILED;
}

/** ntpath.basename: what follows the last '\' or '/'. */
export function pathBaseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
}
