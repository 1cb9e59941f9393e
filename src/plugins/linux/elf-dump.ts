import type { LinuxTask, OutputFile, PluginContext, Vma, VirtualMemory } from '../api.ts';
import { writeMemory } from '../common/memory-dump.ts';
import { ET_EXEC, PT_LOAD, readElfHeader, readProgramHeaders } from './elf-header.ts';

const PAGE = 0x1000n;
/** Volatility 3's ELF_MAX_EXTRACTION_SIZE: the most a segment (here: the whole image too) may claim. */
const MAX_IMAGE = (1n << 32n) - 1n;

/** Volatility 3's name for the image dumped from a task's mapping: pid.<PID>.<comm>.<start>.dmp. */
export function elfDumpName(task: LinuxTask, vma: Vma): string {
  return `pid.${task.pid}.${task.comm}.0x${vma.start.toString(16)}.dmp`;
}

/**
 * Where the image's loadable segments lie, as Volatility 3's linux.elfs --dump takes them: each PT_LOAD widened to
 * whole pages, keyed by its start (a later one with the same start replaces the earlier), in address order. Unlike
 * Volatility, which adds p_vaddr to the mapping's start for every image, a non-relocatable one (ET_EXEC) is read at
 * its own addresses. Why there is no image, when there is none.
 */
export async function loadSegments(space: VirtualMemory, base: bigint): Promise<{ at: bigint; length: bigint }[] | string> {
  const header = await readElfHeader(space, base);
  if (!header) return 'the ELF header is not readable or of no known class';
  const bias = header.type === ET_EXEC ? 0n : base;
  const table = await readProgramHeaders(space, header);
  if (!table) return 'its program headers are not readable';
  const segments = new Map<bigint, bigint>();
  let total = 0n;
  for (const { type, vaddr, memsz } of table) {
    if (type !== PT_LOAD) continue;
    const start = vaddr - (vaddr % PAGE);
    const end = ((vaddr + memsz + PAGE - 1n) / PAGE) * PAGE;
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
