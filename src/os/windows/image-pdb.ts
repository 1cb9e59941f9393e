import type { VirtualMemory } from '../../plugins/api/memory.ts';
import { findCodeViewEntry, parseDebugDirectory, parsePeHeader, parseRsds, type CodeViewRecord, type PeHeader } from './pe-header.ts';

/** A PE image mapped in memory: its header and the PDB its CodeView record names. */
export interface ImagePdb {
  readonly pe: PeHeader;
  readonly pdb: CodeViewRecord;
}

/** No debug directory has more entries than this. */
const MAX_DEBUG_ENTRIES = 32;
const DEBUG_ENTRY_SIZE = 28;

/**
 * Reads the PE header at `base` (ntoskrnl, a driver), its debug directory and the RSDS CodeView record it points at;
 * null when any of them is unreadable or malformed.
 */
export async function readImagePdb(vm: Pick<VirtualMemory, 'read'>, base: bigint): Promise<ImagePdb | null> {
  const page = await vm.read(base, 0x1000);
  const pe = page && parsePeHeader(page);
  if (!pe || pe.debugDirectorySize === 0 || pe.debugDirectorySize > DEBUG_ENTRY_SIZE * MAX_DEBUG_ENTRIES) return null;
  const dir = await vm.read(base + BigInt(pe.debugDirectoryRva), pe.debugDirectorySize);
  const cv = dir && findCodeViewEntry(parseDebugDirectory(dir));
  if (!cv) return null;
  const rsds = await vm.read(base + BigInt(cv.addressOfRawData), cv.sizeOfData);
  const pdb = rsds && parseRsds(rsds);
  return pdb ? { pe, pdb } : null;
}
