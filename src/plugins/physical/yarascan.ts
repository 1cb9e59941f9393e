import type { Column, PhysicalMemory, PluginContext, PluginDefinition, PluginRow } from '../api.ts';
import { imageKernel } from '../common/image-kernel.ts';
import { imageProcesses, physicalOwners, type PhysicalOwner } from '../common/physical-owners.ts';
import { hexPairs } from '../common/hex-pairs.ts';
import { readPadded } from '../common/padded-read.ts';
import { optionScanner, YARA_OPTIONS } from '../common/yara-options.ts';
import {
  hostScanned,
  YARA_CHUNK,
  YARA_OVERLAP,
  YARA_STAGE,
  scanRanges,
  type RangeReader,
  type ScanRange,
  type YaraMatch,
  type YaraScanner,
} from '../common/yara-scan.ts';

/** The kernel's half of a 4-level x86-64 address space, to the top. */
const KERNEL_SPACE_START = 0xffff_8000_0000_0000n;
const ADDRESS_SPACE_END = 1n << 64n;

const columns = (kernel: boolean, owners: boolean): Column[] => [
  { name: 'Offset', type: 'hex', address: kernel ? 'kernel' : 'physical' },
  { name: 'Rule', type: 'str' },
  { name: 'Component', type: 'str' },
  { name: 'Value', type: 'bytes' },
  ...(owners && !kernel ? OWNER_COLUMNS : []),
];

/** --owners: the first process (as listed) mapping the match, where it sees it, and how many processes map it. */
const OWNER_COLUMNS: readonly Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'Process', type: 'str' },
  { name: 'Process Offset', type: 'hex', address: 'process' },
  { name: 'Mapped By', type: 'int' },
];

export const yarascan: PluginDefinition = {
  name: 'yarascan.yarascan',
  description:
    'Scans the captured physical memory with YARA rules (YARA-X), or with --kernel what the kernel maps (as Volatility 3 does); ' +
    `a match longer than ${YARA_OVERLAP / 1024} KiB may be missed.`,
  version: '1.1.0',
  requirements: [],
  columns: (options) => columns(options['kernel'] === true, options['owners'] === true),
  options: [
    ...YARA_OPTIONS,
    {
      name: 'kernel',
      type: 'bool',
      default: false,
      description: "Scan the kernel's virtual address space (Windows or Linux), as Volatility 3's yarascan: Offset is a kernel address",
    },
    {
      name: 'owners',
      type: 'bool',
      default: false,
      description:
        'Name the processes that map each physical match (PID, Process, Process Offset, Mapped By): every process’s page tables are walked once after the scan, so rows come at its end',
    },
  ],
  tree: false,
  async *run(ctx) {
    // Compiled here even when the host's workers scan: the rules' errors and warnings are the run's.
    const yara = await optionScanner(ctx);
    try {
      if (ctx.options['kernel'] === true) {
        for await (const m of kernelMatches(yara, ctx)) yield { depth: 0, values: [m.address, m.rule, m.pattern, hexPairs(m.value)] };
        return;
      }
      const pooled = ctx.physicalYara?.(yara.request, (done, total) => ctx.progress(done, total, YARA_STAGE));
      const ranges = ctx.physical.runs.map((r) => ({ start: BigInt(r.start), length: r.length }));
      const matches = pooled ? hostScanned(yara, pooled, ctx) : scanRanges(yara, ranges, physicalReader(ctx.physical), ctx);
      yield* ctx.options['owners'] === true ? ownedRows(matches, ctx) : plainRows(matches);
    } finally {
      yara.free();
    }
  },
};

async function* plainRows(matches: AsyncIterable<YaraMatch>): AsyncGenerator<PluginRow> {
  for await (const m of matches) yield { depth: 0, values: [m.address, m.rule, m.pattern, hexPairs(m.value)] };
}

/**
 * The rows with OWNER_COLUMNS: all matches first, then one walk of the processes' page tables for their pages. Where
 * the image has no OS memscope reads, the owners are N/A, with a warning.
 */
async function* ownedRows(matches: AsyncIterable<YaraMatch>, ctx: PluginContext): AsyncGenerator<PluginRow> {
  const found: YaraMatch[] = [];
  for await (const m of matches) found.push(m);
  let owners = new Map<number, PhysicalOwner[]>();
  try {
    owners = await physicalOwners(
      found.map((m) => Number(m.address)),
      imageProcesses(ctx),
      ctx.signal,
    );
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'OS_NOT_FOUND') throw e;
    ctx.warn({ code: 'NOT_FOUND', message: `no processes to name as owners: ${(e as Error).message}` });
  }
  for (const m of found) {
    const mappers = owners.get(Number(m.address)) ?? [];
    const first = mappers[0];
    yield {
      depth: 0,
      values: [m.address, m.rule, m.pattern, hexPairs(m.value), first?.pid ?? null, first?.name ?? null, first?.address ?? null, mappers.length],
    };
  }
}

/**
 * Chunk reads into two buffers taken in turn (one read ahead while the other is scanned; values yielded are copies),
 * where the container can read in place.
 */
function physicalReader(physical: PhysicalMemory): RangeReader {
  const readInto = physical.readInto?.bind(physical);
  if (!readInto) return (address, length) => physical.read(Number(address), length);
  const buffers: Uint8Array[] = [];
  let turn = 0;
  return async (address, length) => {
    const i = turn++ % 2;
    if ((buffers[i]?.length ?? -1) < length) buffers[i] = new Uint8Array(Math.max(length, YARA_CHUNK + YARA_OVERLAP));
    const target = buffers[i]!.subarray(0, length);
    await readInto(Number(address), target);
    return target;
  };
}

/**
 * The matches in what the kernel's page tables map in its half of the address space, virtually contiguous runs scanned
 * as one, unmapped or uncaptured pages as zeros. Memory mapped twice (Linux's direct map and its kernel text) is
 * scanned at each address, as Volatility 3 scans it.
 */
async function* kernelMatches(yara: YaraScanner, ctx: PluginContext): AsyncGenerator<YaraMatch> {
  const { vm } = (await imageKernel(ctx)).kernel;
  const ranges: ScanRange[] = [];
  for await (const run of vm.mappedRuns(KERNEL_SPACE_START, ADDRESS_SPACE_END)) {
    ctx.signal?.throwIfAborted();
    ranges.push({ start: run.vaddr, length: run.length });
  }
  yield* scanRanges(yara, ranges, (address, length) => readPadded(vm, address, length), ctx);
}
