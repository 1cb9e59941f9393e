import type { RunWarning, VirtualMemory } from '../api.ts';
import { ADDRESS_END, ET_DYN, PT_DYNAMIC, readProgramHeaders, word, type ElfHeader } from './elf-header.ts';

type Warn = (warning: RunWarning) => void;

const DT_NULL = 0n;
const DT_PLTGOT = 3n;
/** Volatility 3's bound on a dynamic section's entries (its DT_NULL looked for among the first 256). */
export const MAX_DYNAMIC_ENTRIES = 256;
/** Link maps read from one image at most: far more libraries than a process loads. */
export const MAX_LINK_MAPS = 4096;
/** Program header table bytes read at most: the kernel's ELF loader (load_elf_phdrs) refuses a larger table. */
export const MAX_PROGRAM_HEADER_BYTES = 0x10000;

/** A struct link_map (glibc's public part: l_addr, l_name, l_ld, l_next, l_prev) as the walk found it. */
export interface LinkMap {
  /** Where it is. */
  readonly address: bigint;
  /** The load bias: where the object is loaded less the addresses it was linked at. */
  readonly lAddr: bigint;
  /** Address of the object's path as the loader opened it ("" for the executable). */
  readonly lName: bigint;
}

/**
 * The dynamic loader's link maps as image `elf` reaches them, as Volatility 3 walks them (elf.get_link_maps): for
 * each PT_DYNAMIC program header its dynamic entries (at p_vaddr, relocated by the image's base for ET_DYN) up to
 * DT_NULL, for each DT_PLTGOT the GOT's second entry (ld.so's pointer to the object's own link_map), and from it the
 * l_next chain, each link map once an image. As in Volatility, the walk of the image ends at a program header,
 * dynamic entry or link map (its l_addr, l_name) that is not readable and a chain at an unreadable or NULL l_next;
 * unlike it, a GOT entry of a 32-bit image is read as 4 bytes (Volatility reads the kernel's 8). A cut walk (a
 * cycle, a bound reached, a link map not readable) is said in `warn`, its messages begun with `about`.
 */
export async function* linkMaps(space: VirtualMemory, elf: ElfHeader, warn: Warn, about: string): AsyncGenerator<LinkMap> {
  const where = `${about} ELF at 0x${elf.base.toString(16)}`;
  const count = Math.min(elf.phnum, Math.floor(MAX_PROGRAM_HEADER_BYTES / elf.phentsize));
  if (count < elf.phnum) warn({ code: 'LIMIT', message: `${where}: ${elf.phnum} program headers; only the first ${count} read` });
  const headers = await readProgramHeaders(space, elf, count);
  if (!headers) return;
  const seen = new Set<bigint>();
  for (const header of headers) {
    if (header.type !== PT_DYNAMIC) continue;
    const dynamic = await pltGots(space, elf, (elf.type === ET_DYN ? elf.base : 0n) + header.vaddr, warn, where);
    for (const got of dynamic.gots) {
      const first = await readWord(space, got + BigInt(elf.word), elf.word);
      if (first === null) return;
      if (first === 0n) continue;
      const chain = await walkChain(space, elf.word, first, seen, warn, where);
      yield* chain.maps;
      if (chain.cut) return;
    }
    if (!dynamic.complete) return;
  }
}

/** A dynamic section's DT_PLTGOT values, in order; `complete` false when an entry before its end was not readable. */
async function pltGots(space: VirtualMemory, elf: ElfHeader, at: bigint, warn: Warn, where: string): Promise<{ gots: bigint[]; complete: boolean }> {
  const gots: bigint[] = [];
  const size = 2 * elf.word;
  for (let i = 0; i < MAX_DYNAMIC_ENTRIES; i++) {
    const entry = at + BigInt(i * size) < ADDRESS_END ? await space.read(at + BigInt(i * size), size) : null;
    if (!entry) {
      // A section not there at all is no walk cut (an ELF file mapped, not loaded, may point anywhere).
      if (i > 0)
        warn({
          code: 'UNREADABLE',
          message: `${where}: dynamic entry ${i} at 0x${(at + BigInt(i * size)).toString(16)} is not readable: the rest not read`,
        });
      return { gots, complete: false };
    }
    const view = new DataView(entry.buffer, entry.byteOffset, size);
    // d_tag is signed; only its values 0 and 3 count here.
    const tag = word(view, 0, elf.word);
    if (tag === DT_NULL) return { gots, complete: true };
    if (tag === DT_PLTGOT) gots.push(word(view, elf.word, elf.word));
  }
  warn({
    code: 'LIMIT',
    message: `${where}: no DT_NULL among the first ${MAX_DYNAMIC_ENTRIES} dynamic entries at 0x${at.toString(16)}: the rest not read`,
  });
  return { gots, complete: true };
}

/**
 * The link maps from `first` along l_next, none in `seen` (to which they are added): it stops at NULL, at one seen
 * before (a loop, warned, when seen on this chain), at MAX_LINK_MAPS, or where not readable (`cut`: one whose l_addr or
 * l_name is not readable ends the image's walk; an unreadable l_next only the chain).
 */
async function walkChain(
  space: VirtualMemory,
  size: 4 | 8,
  first: bigint,
  seen: Set<bigint>,
  warn: Warn,
  where: string,
): Promise<{ maps: LinkMap[]; cut: boolean }> {
  const maps: LinkMap[] = [];
  const chain = new Set<bigint>();
  for (let at: bigint | null = first; at !== 0n;) {
    if (at === null) {
      warn({
        code: 'UNREADABLE',
        message: `${where}: the l_next of the link_map at 0x${maps.at(-1)!.address.toString(16)} is not readable: list cut there`,
      });
      break;
    }
    if (seen.has(at)) {
      if (chain.has(at)) warn({ code: 'SMEAR', message: `${where}: the link_map list loops back to 0x${at.toString(16)}: walk stopped` });
      break;
    }
    if (seen.size >= MAX_LINK_MAPS) {
      warn({ code: 'LIMIT', message: `${where}: more than ${MAX_LINK_MAPS} link_maps: the rest not read` });
      return { maps, cut: true };
    }
    seen.add(at);
    chain.add(at);
    const lAddr = await readWord(space, at, size);
    const lName = await readWord(space, at + BigInt(size), size);
    if (lAddr === null || lName === null) {
      warn({ code: 'UNREADABLE', message: `${where}: the link_map at 0x${at.toString(16)} is not readable: list cut there` });
      return { maps, cut: true };
    }
    maps.push({ address: at, lAddr, lName });
    // l_next follows l_ld.
    at = await readWord(space, at + BigInt(3 * size), size);
  }
  return { maps, cut: false };
}

/** The address-sized value at `address`; null when it is not readable. */
async function readWord(space: VirtualMemory, address: bigint, size: 4 | 8): Promise<bigint | null> {
  if (address + BigInt(size) > ADDRESS_END) return null;
  const bytes = await space.read(address, size);
  return bytes && word(new DataView(bytes.buffer, bytes.byteOffset, size), 0, size);
}
