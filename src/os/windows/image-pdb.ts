import type { VirtualMemory } from '../../plugins/api/memory.ts';
import { findCodeViewEntry, parseDebugDirectory, parsePeHeader, parseRsds, type CodeViewRecord, type PeHeader } from './pe-header.ts';

/** A PE image mapped in memory: its header and the PDB its CodeView record names. */
export interface ImagePdb {
  readonly pe: PeHeader;
  readonly pdb: CodeViewRecord;
}

/** A PE image whose header is sound; `pdb` null when its debug directory or CodeView record is unreadable or malformed. */
export interface PeImage {
  readonly pe: PeHeader;
  readonly pdb: CodeViewRecord | null;
}

/** No debug directory has more entries than this. */
const MAX_DEBUG_ENTRIES = 32;
const DEBUG_ENTRY_SIZE = 28;

/** Reads the PE header at `base` and, when they can be read, its debug directory and the RSDS CodeView record it points at. */
export async function readPeImage(vm: Pick<VirtualMemory, 'read'>, base: bigint): Promise<PeImage | null> {
  const page = await vm.read(base, 0x1000);
  const pe = page && parsePeHeader(page);
  if (!pe) return null;
  return { pe, pdb: await readCodeView(vm, base, pe) };
}

/** The PE header at `base` (ntoskrnl, a driver) and the PDB its CodeView record names; null when any of them is unreadable. */
export async function readImagePdb(vm: Pick<VirtualMemory, 'read'>, base: bigint): Promise<ImagePdb | null> {
  const image = await readPeImage(vm, base);
  return image?.pdb ? { pe: image.pe, pdb: image.pdb } : null;
}

async function readCodeView(vm: Pick<VirtualMemory, 'read'>, base: bigint, pe: PeHeader): Promise<CodeViewRecord | null> {
  if (pe.debugDirectorySize === 0 || pe.debugDirectorySize > DEBUG_ENTRY_SIZE * MAX_DEBUG_ENTRIES) return null;
  const dir = await vm.read(base + BigInt(pe.debugDirectoryRva), pe.debugDirectorySize);
  const cv = dir && findCodeViewEntry(parseDebugDirectory(dir));
  if (!cv) return null;
  const rsds = await vm.read(base + BigInt(cv.addressOfRawData), cv.sizeOfData);
  return (rsds && parseRsds(rsds)) ?? null;
}
