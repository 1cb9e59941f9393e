import type { VirtualMemory } from '../api.ts';

/** The ELF magic, "\x7fELF". */
export const ELF_MAGIC: readonly number[] = [0x7f, 0x45, 0x4c, 0x46];
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
/** Past the last 64-bit address: a sum of address fields at or above it points nowhere. */
export const ADDRESS_END = 1n << 64n;

/**
 * Per class (e_ident[EI_CLASS] 1: 32-bit, 2: 64-bit): the size of an address (Elf_Addr, Elf_Off), where the ELF
 * header keeps e_phoff and e_phnum, and a program header's size and where it keeps p_vaddr and p_memsz.
 */
const CLASSES = {
  1: { word: 4, phoff: 0x1c, phnum: 0x2c, entry: 32, vaddr: 8, memsz: 0x14 },
  2: { word: 8, phoff: 0x20, phnum: 0x38, entry: 56, vaddr: 0x10, memsz: 0x28 },
} as const;

/** An ELF header in a process's memory, as far as its program headers need it. */
export interface ElfHeader {
  /** Where it starts. */
  readonly base: bigint;
  /** Bytes of an address in this class: 4 (ELFCLASS32) or 8 (ELFCLASS64). */
  readonly word: 4 | 8;
  /** e_type: ET_EXEC, ET_DYN, … */
  readonly type: number;
  readonly phoff: bigint;
  readonly phnum: number;
  /** Bytes of one program header in this class. */
  readonly phentsize: number;
}

/** One program header's fields that memscope reads. */
export interface ProgramHeader {
  readonly type: number;
  readonly vaddr: bigint;
  readonly memsz: bigint;
}

/** Whether `bytes` begin with the ELF magic. */
export function hasElfMagic(bytes: Uint8Array | null): boolean {
  return bytes !== null && bytes.length >= ELF_MAGIC.length && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** The little-endian unsigned address-sized value (4 or 8 bytes) at `offset` of `view`. */
export function word(view: DataView, offset: number, size: 4 | 8): bigint {
  return size === 4 ? BigInt(view.getUint32(offset, true)) : view.getBigUint64(offset, true);
}

/** The ELF header at `base`; null when it is not readable, lacks the magic or is of no known class. */
export async function readElfHeader(space: VirtualMemory, base: bigint): Promise<ElfHeader | null> {
  const bytes = await space.read(base, 0x40);
  const layout = bytes && hasElfMagic(bytes) ? CLASSES[bytes[4] as 1 | 2] : undefined;
  if (!bytes || !layout) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return {
    base,
    word: layout.word,
    type: view.getUint16(16, true),
    phoff: word(view, layout.phoff, layout.word),
    phnum: view.getUint16(layout.phnum, true),
    phentsize: layout.entry,
  };
}

/** The first `count` (default: all) program headers of `elf`; null when any of them is not readable. */
export async function readProgramHeaders(space: VirtualMemory, elf: ElfHeader, count = elf.phnum): Promise<ProgramHeader[] | null> {
  const layout = CLASSES[elf.word === 4 ? 1 : 2];
  const at = elf.base + elf.phoff;
  const table = at < ADDRESS_END ? await space.read(at, count * layout.entry) : null;
  if (!table) return null;
  return Array.from({ length: count }, (_, i) => {
    const ph = new DataView(table.buffer, table.byteOffset + i * layout.entry, layout.entry);
    return { type: ph.getUint32(0, true), vaddr: word(ph, layout.vaddr, layout.word), memsz: word(ph, layout.memsz, layout.word) };
  });
}
