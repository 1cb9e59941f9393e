import { MemscopeError } from '../errors.ts';
import { CachedSource } from '../io/block-cache.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hasExtension, type CompanionFiles } from '../io/companion-files.ts';
import { hex } from '../io/hex.ts';
import type { PhysicalLayer, PhysicalRun } from '../layers/physical-layer.ts';
import { RunMappedLayer } from '../layers/run-mapped-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { TruncationTally } from './truncation.ts';
import { isVmwareStateMagic, readVmwareState, VMWARE_PAGE, type VmwareState } from './vmware-state.ts';

const STATE_EXTENSIONS = ['.vmss', '.vmsn'];
const MEMORY_EXTENSION = '.vmem';
/** A `.vmem` has no header: its name is all there is, above raw's fallback and below every format with a signature. */
const VMEM_CONFIDENCE = 0.5;

/** Where the guest's memory is: a file, and the range of it the regions count pages from. */
interface MemoryFile {
  readonly source: ByteSource;
  readonly offset: number;
  readonly length: number;
  /** The state file states the length (its Memory block): a region past it is corrupt, not a truncated file. */
  readonly stated: boolean;
}

/**
 * The state file's regions as runs of the memory file, refusing what no VMware writes: regions overlapping in
 * physical memory or in the file, or starting past the memory's end. A region the file ends inside (a truncated
 * copy) is cut with a warning.
 */
function regionRuns(state: VmwareState, memory: MemoryFile, stateName: string): { runs: PhysicalRun[]; warnings: string[] } {
  const corrupt = (why: string) => new MemscopeError('CORRUPT', `its VMware regions cannot be used: ${why}`, stateName);
  const regions = state.regions.length > 0 ? state.regions : [{ physicalPage: 0, filePage: 0, pages: Math.ceil(memory.length / VMWARE_PAGE) }];
  const tally = new TruncationTally(memory.source, 'region');
  const runs = regions.map((r, i) => {
    const [start, offset, length] = [r.physicalPage * VMWARE_PAGE, r.filePage * VMWARE_PAGE, r.pages * VMWARE_PAGE];
    if (offset >= memory.length && length > 0) {
      throw corrupt(`region ${i} starts ${hex(offset)} into the memory, beyond the end of ${memory.source.name}'s ${memory.length} bytes`);
    }
    // The last region of a flat memory file may end in a partial page.
    const declared = state.regions.length > 0 ? length : Math.min(length, memory.length);
    if (offset + declared > memory.length && memory.stated) throw corrupt(`region ${i} ends beyond the memory block`);
    return { start, length: tally.clip(memory.offset + offset, declared), fileOffset: memory.offset + offset, index: i };
  });
  const overlap = overlapping(runs);
  if (overlap) {
    const where = overlap.key === 'start' ? 'physical memory' : memory.source.name;
    throw corrupt(`regions ${overlap.a} and ${overlap.b} overlap in ${where} (at ${hex(overlap.at)})`);
  }
  tally.throwIfNothingLeft();
  return { runs: runs.map(({ start, length, fileOffset }) => ({ start, length, fileOffset })), warnings: tally.warnings() };
}

/** Two regions sharing physical addresses or bytes of the memory file, if any. */
function overlapping(
  runs: readonly (PhysicalRun & { index: number })[],
): { key: 'start' | 'fileOffset'; a: number; b: number; at: number } | undefined {
  for (const key of ['start', 'fileOffset'] as const) {
    const sorted = runs.filter((r) => r.length > 0).sort((a, b) => a[key] - b[key]);
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      if (a[key] + a.length > b[key]) return { key, a: a.index, b: b.index, at: b[key] };
    }
  }
  return undefined;
}

function pairLayer(state: VmwareState, memory: MemoryFile, stateName: string): PhysicalLayer {
  const { runs, warnings } = regionRuns(state, memory, stateName);
  const memoryName = memory.source.name === stateName ? `${stateName} (its own Memory block)` : memory.source.name;
  return new RunMappedLayer({
    format: 'vmware',
    source: memory.source,
    runs,
    warnings,
    details: [
      ['State file', stateName],
      ['Memory file', memoryName],
      ['VMware regions', state.regions.length > 0 ? String(state.regions.length) : 'none stated (one flat region)'],
    ],
  });
}

/** A companion memory file, read through a block cache like the image itself. */
function cached(source: ByteSource): ByteSource {
  return source instanceof CachedSource ? source : new CachedSource(source);
}

/** A `.vmem` without its state file: flat memory, which it is where the guest has no memory above a hole. */
function loneVmem(source: ByteSource): PhysicalLayer {
  const warning =
    `no .vmss or .vmsn found with ${source.name}: read as raw memory (file offset = physical address). VMware stores ` +
    'the memory above the PCI hole (e.g. from 4 GiB) right after the memory below it, so without the state file that ' +
    'memory may be misplaced; give the state file too (beside it with the same name, --vmss, or dropped with it)';
  return new RunMappedLayer({ format: 'raw', source, runs: [{ start: 0, length: source.size, fileOffset: 0 }], warnings: [warning] });
}

/**
 * VMware suspended state: the guest's memory in a `.vmem`, its layout in the `.vmss` (suspend) or `.vmsn` (snapshot)
 * beside it, or the memory inside the state file itself. Opens from either file, finding the other among the
 * companions; a `.vmem` alone is read as raw memory with a warning.
 */
export const vmwareFormat: ContainerFormat = {
  id: 'vmware',
  description: 'VMware suspended state (.vmem + .vmss/.vmsn)',

  probe(head, _size, name) {
    if (isVmwareStateMagic(head)) return 1;
    return name !== undefined && hasExtension(name, MEMORY_EXTENSION) ? VMEM_CONFIDENCE : 0;
  },

  async open(source, companions?: CompanionFiles): Promise<PhysicalLayer> {
    if (!isVmwareStateMagic(await source.read(0, 4))) {
      const stateFile = await companions?.find(STATE_EXTENSIONS);
      if (!stateFile) return loneVmem(source);
      const state = await readVmwareState(cached(stateFile));
      return pairLayer(state, { source, offset: 0, length: source.size, stated: false }, stateFile.name);
    }
    const state = await readVmwareState(source);
    if (state.memory) return pairLayer(state, { source, ...state.memory, stated: true }, source.name);
    const vmem = await companions?.find([MEMORY_EXTENSION]);
    if (!vmem) {
      const why = 'a VMware state file without the memory: it needs its .vmem (beside it with the same name, or dropped with it)';
      throw new MemscopeError('UNSUPPORTED', why, source.name);
    }
    return pairLayer(state, { source: cached(vmem), offset: 0, length: vmem.size, stated: false }, source.name);
  },
};
