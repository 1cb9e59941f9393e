import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { readExact } from '../io/read-exact.ts';
import type { ContainerNote, PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { RunMappedLayer } from '../layers/run-mapped-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { parseElfNotes } from './elf-notes.ts';
import { TruncationTally } from './truncation.ts';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ET_CORE = 4;
const PT_LOAD = 1;
const PT_NOTE = 4;
/** e_phnum value meaning "the count is in section header 0's sh_info". */
const PN_XNUM = 0xffff;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
/** Real cores have one PT_LOAD per RAM block; this bounds the header table read (≈ 14 MiB). */
const MAX_PROGRAM_HEADERS = 1 << 18;
/** All note segments together; a real core has a few KiB per CPU. */
const MAX_NOTE_BYTES = 16 * 1024 * 1024;
const ELF_TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'a relocatable object', 2: 'an executable', 3: 'a shared object' };

interface ProgramHeader {
  readonly index: number;
  readonly type: number;
  readonly offset: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

function hasElfMagic(head: Uint8Array): boolean {
  return head.length >= 4 && ELF_MAGIC.every((b, i) => head[i] === b);
}

function isLittleEndianCore64(head: Uint8Array): boolean {
  return head.length >= 18 && head[4] === ELFCLASS64 && head[5] === ELFDATA2LSB && head[16]! + (head[17]! << 8) === ET_CORE;
}

/** Checks e_ident and e_type; anything but a little-endian ELF64 core is refused with the reason. */
function checkIdent(ehdr: DataView, source: ByteSource): void {
  const fail = (code: 'UNSUPPORTED' | 'CORRUPT', why: string): never => {
    throw new MemscopeError(code, why, source.name);
  };
  const elfClass = ehdr.getUint8(4);
  if (elfClass === 1) fail('UNSUPPORTED', '32-bit ELF (ELFCLASS32) core dumps are not supported; expected ELF64');
  if (elfClass !== ELFCLASS64) fail('CORRUPT', `invalid ELF class ${elfClass}`);
  const data = ehdr.getUint8(5);
  if (data === 2) fail('UNSUPPORTED', 'big-endian ELF core dumps are not supported');
  if (data !== ELFDATA2LSB) fail('CORRUPT', `invalid ELF data encoding ${data}`);
  const type = ehdr.getUint16(16, true);
  if (type !== ET_CORE) {
    fail('UNSUPPORTED', `ELF file is ${ELF_TYPE_NAMES[type] ?? `of type ${type}`}, not a core dump (ET_CORE): not a memory image`);
  }
}

/** A u64 field as a number, or undefined beyond 2^53 (no real offset or address is that large). */
function u64(view: DataView, at: number): number | undefined {
  const value = view.getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

async function programHeaderCount(ehdr: DataView, source: ByteSource): Promise<number> {
  const phnum = ehdr.getUint16(56, true);
  if (phnum !== PN_XNUM) return phnum;
  const shoff = u64(ehdr, 40);
  if (shoff === undefined || shoff === 0) {
    throw new MemscopeError('CORRUPT', 'e_phnum is PN_XNUM but there is no section header holding the real count', source.name);
  }
  const shdr = await readExact(source, shoff, SHDR_SIZE, 'section header 0 (it holds the program header count)');
  return new DataView(shdr.buffer, shdr.byteOffset, shdr.byteLength).getUint32(44, true);
}

async function readProgramHeaders(ehdr: DataView, source: ByteSource, warnings: string[]): Promise<ProgramHeader[]> {
  const count = await programHeaderCount(ehdr, source);
  const entrySize = ehdr.getUint16(54, true);
  const tableOffset = u64(ehdr, 32);
  if (count === 0) throw new MemscopeError('CORRUPT', 'ELF core has no program headers, so no memory', source.name);
  if (count > MAX_PROGRAM_HEADERS) {
    throw new MemscopeError('CORRUPT', `implausible number of program headers (${count}, limit ${MAX_PROGRAM_HEADERS})`, source.name);
  }
  if (entrySize !== PHDR_SIZE) throw new MemscopeError('CORRUPT', `program header size is ${entrySize}, expected ${PHDR_SIZE}`, source.name);
  if (tableOffset === undefined) throw new MemscopeError('CORRUPT', 'program header table offset beyond 2^53', source.name);
  const table = await readExact(source, tableOffset, count * PHDR_SIZE, `program header table (${count} entries)`);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const headers: ProgramHeader[] = [];
  for (let index = 0; index < count; index++) {
    const at = index * PHDR_SIZE;
    const type = view.getUint32(at, true);
    if (type !== PT_LOAD && type !== PT_NOTE) continue;
    const [offset, paddr, filesz, memsz] = [8, 24, 32, 40].map((field) => u64(view, at + field));
    const valid = offset !== undefined && paddr !== undefined && filesz !== undefined && memsz !== undefined;
    if (!valid || !Number.isSafeInteger(paddr + Math.max(filesz, memsz))) {
      warnings.push(`program header ${index} has offsets or addresses beyond 2^53; ignored`);
      continue;
    }
    headers.push({ index, type, offset, paddr, filesz, memsz });
  }
  return headers;
}

async function readNotes(notes: readonly ProgramHeader[], source: ByteSource, warnings: string[]): Promise<ContainerNote[]> {
  let parsed: ContainerNote[] = [];
  let budget = MAX_NOTE_BYTES;
  for (const segment of notes) {
    if (segment.filesz > budget) {
      warnings.push(`note segment ${segment.index} (${segment.filesz} bytes) exceeds the ${MAX_NOTE_BYTES}-byte limit for all notes; ignored`);
      continue;
    }
    budget -= segment.filesz;
    const bytes = segment.offset < source.size ? await source.read(segment.offset, segment.filesz) : new Uint8Array(0);
    if (bytes.length < segment.filesz) {
      warnings.push(`note segment ${segment.index} is cut off by the end of the file (${bytes.length} of ${segment.filesz} bytes)`);
    }
    const result = parseElfNotes(bytes);
    parsed = parsed.concat(result.notes);
    warnings.push(...result.warnings);
  }
  return parsed;
}

/**
 * ELF64 core (QEMU `dump-guest-memory`, VirtualBox `dumpguestcore`): PT_LOAD segments map
 * p_paddr (QEMU leaves p_vaddr 0) to file data; memory past p_filesz up to p_memsz reads as zeros.
 */
export const elfCoreFormat: ContainerFormat = {
  id: 'elf',
  description: 'ELF64 core dump (QEMU dump-guest-memory, VirtualBox dumpguestcore)',

  probe(head) {
    if (!hasElfMagic(head)) return 0;
    // Any ELF beats the raw fallback: a non-core ELF gets a clear refusal from open().
    return isLittleEndianCore64(head) ? 1 : 0.6;
  },

  async open(source): Promise<PhysicalLayer> {
    const header = await readExact(source, 0, EHDR_SIZE, 'ELF header');
    if (!hasElfMagic(header)) throw new MemscopeError('CORRUPT', 'not an ELF file (bad magic)', source.name);
    const ehdr = new DataView(header.buffer, header.byteOffset, header.byteLength);
    checkIdent(ehdr, source);
    const warnings: string[] = [];
    const headers = await readProgramHeaders(ehdr, source, warnings);
    const loads = headers.filter((h) => h.type === PT_LOAD);
    if (loads.length === 0) throw new MemscopeError('CORRUPT', 'ELF core has no PT_LOAD segment, so no memory', source.name);

    const tally = new TruncationTally(source, 'PT_LOAD segment');
    const runs: PhysicalRun[] = loads.map((h) => ({
      start: h.paddr,
      length: tally.clip(h.offset, h.filesz),
      fileOffset: h.offset,
    }));
    tally.throwIfNothingLeft();
    const notes = await readNotes(
      headers.filter((h) => h.type === PT_NOTE),
      source,
      warnings,
    );
    const size = loads.reduce((end, h) => Math.max(end, h.paddr + Math.max(h.filesz, h.memsz)), 0);
    return new RunMappedLayer({ format: 'elf', source, runs, size, notes, warnings: [...tally.warnings(), ...warnings] });
  },
};
