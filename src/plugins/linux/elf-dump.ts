import type { LinuxTask, OutputFile, PluginContext, Vma, VirtualMemory } from '../api.ts';
import { writeMemory } from '../common/memory-dump.ts';

const PAGE = 0x1000n;
/** Volatility 3's ELF_MAX_EXTRACTION_SIZE: the most a segment (here: the whole image too) may claim. */
const MAX_IMAGE = (1n << 32n) - 1n;
const PT_LOAD = 1;
const ET_EXEC = 2;

/** The ELF header fields and program header layout of each class (e_ident[EI_CLASS] 1: 32-bit, 2: 64-bit). */
const CLASSES = {
  1: { phoff: [0x1c, 4], phnum: 0x2c, entry: 32, vaddr: [8, 4], memsz: [0x14, 4] },
  2: { phoff: [0x20, 8], phnum: 0x38, entry: 56, vaddr: [0x10, 8], memsz: [0x28, 8] },
} as const;

/** Volatility 3's name for the image dumped from a task's mapping: pid.<PID>.<comm>.<start>.dmp. */
export function elfDumpName(task: LinuxTask, vma: Vma): string {
  return `pid.${task.pid}.${task.comm}.0x${vma.start.toString(16)}.dmp`;
}

function field(view: DataView, [offset, size]: readonly [number, 4 | 8]): bigint {
  return size === 4 ? BigInt(view.getUint32(offset, true)) : view.getBigUint64(offset, true);
}

/**
 * Where the image's loadable segments lie, as Volatility 3's linux.elfs --dump takes them: each PT_LOAD widened to
 * whole pages, keyed by its start (a later one with the same start replaces the earlier), in address order. Unlike
 * Volatility, which adds p_vaddr to the mapping's start for every image, a non-relocatable one (ET_EXEC) is read at
 * its own addresses. Why there is no image, when there is none.
 */
export async function loadSegments(space: VirtualMemory, base: bigint): Promise<{ at: bigint; length: bigint }[] | string> {
  const header = await space.read(base, 0x40);
  const layout = header && CLASSES[header[4] as 1 | 2];
  if (!header || !layout) return 'the ELF header is not readable or of no known class';
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  const bias = view.getUint16(16, true) === ET_EXEC ? 0n : base;
  const count = view.getUint16(layout.phnum, true);
  const table = await space.read(base + field(view, layout.phoff), count * layout.entry);
  if (!table) return 'its program headers are not readable';
  const segments = new Map<bigint, bigint>();
  let total = 0n;
  for (let i = 0; i < count; i++) {
    const ph = new DataView(table.buffer, table.byteOffset + i * layout.entry, layout.entry);
    if (ph.getUint32(0, true) !== PT_LOAD) continue;
    const vaddr = field(ph, layout.vaddr);
    const start = vaddr - (vaddr % PAGE);
    const end = ((vaddr + field(ph, layout.memsz) + PAGE - 1n) / PAGE) * PAGE;
    if (end - start > MAX_IMAGE) return `a PT_LOAD segment claims ${end - start} bytes`;
    total += end - start - (segments.get(start) ?? 0n);
    segments.set(start, end - start);
  }
  if (total > MAX_IMAGE) return `its PT_LOAD segments claim ${total} bytes`;
  return [...segments].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([start, length]) => ({ at: BigInt.asUintN(64, bias + start), length }));
}

/**
 * The image whose header starts the mapping written to `file` as Volatility 3 writes it: its page-widened PT_LOAD
 * segments one after another in address order, what is not mapped or not captured as zeros.
 */
export async function writeElfImage(
  ctx: Pick<PluginContext, 'signal'>,
  space: VirtualMemory,
  segments: readonly { at: bigint; length: bigint }[],
  file: OutputFile,
): Promise<void> {
  let offset = 0;
  for (const { at, length } of segments) offset = await writeMemory(ctx, space, at, length, file, offset);
  await file.close(offset);
}
