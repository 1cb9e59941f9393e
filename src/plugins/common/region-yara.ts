import type { Column, OptionSpec, PluginContext, PluginRow, RunWarning, VirtualMemory } from '../api.ts';
import { hexPairs } from './hex-pairs.ts';
import { readPadded } from './padded-read.ts';
import { PID_OPTION } from './pid-filter.ts';
import { optionScanner, YARA_OPTIONS } from './yara-options.ts';
import { scanRanges, type YaraMatch, type YaraScanner } from './yara-scan.ts';

/** Regions larger than this are not scanned, as Volatility 3 skips them (its "sanity check"); memscope warns. */
export const MAX_REGION_BYTES = 1024 * 1024 * 1024;

/** windows.vadyarascan / linux.vmayarascan: Volatility 3's columns, with the process's name after its PID. */
export const PROCESS_YARA_COLUMNS: readonly Column[] = [
  { name: 'Offset', type: 'hex', address: 'process' },
  { name: 'PID', type: 'int' },
  { name: 'Process', type: 'str' },
  { name: 'Rule', type: 'str' },
  { name: 'Component', type: 'str' },
  { name: 'Value', type: 'bytes' },
];

export const PROCESS_YARA_OPTIONS: readonly OptionSpec[] = [...YARA_OPTIONS, PID_OPTION];

/** One region of a process's address space (a VAD, a VMA). */
export interface ProcessRegion {
  readonly start: bigint;
  readonly length: bigint;
}

/** A listed process as a per-process scan sees it. */
export interface ScannedProcess {
  readonly pid: number;
  readonly name: string;
  readonly space: VirtualMemory;
  readonly regions: AsyncIterable<ProcessRegion> | Iterable<ProcessRegion>;
}

/**
 * The rows of a per-process YARA scan (PROCESS_YARA_COLUMNS) of the processes `listed` gives, each region scanned
 * by scanRegion; `kind` names the regions in warnings ("VAD"). The rules are compiled before anything is listed
 * (their errors come first) and freed when the run ends.
 */
export async function* processYaraRows(ctx: PluginContext, kind: string, listed: () => AsyncIterable<ScannedProcess>): AsyncGenerator<PluginRow> {
  const yara = await optionScanner(ctx);
  try {
    for await (const p of listed()) {
      for await (const region of p.regions) {
        for await (const m of scanRegion(yara, p.space, region, ctx, `PID ${p.pid} (${p.name}): ${kind}`)) {
          yield { depth: 0, values: [m.address, p.pid, p.name, m.rule, m.pattern, hexPairs(m.value)] };
        }
        // A region YARA ran out of time on ends the run (scanRanges warned): the rules are too slow for this memory.
        if (yara.stopped) return;
      }
    }
  } finally {
    yara.free();
  }
}

/**
 * The matches of `rules` in one region of `space`, the region scanned on its own as Volatility 3's per-process scans
 * do (no match spans two regions), unreadable pages as zeros. A region over MAX_REGION_BYTES is skipped with a LIMIT
 * warning; `about` names its kind and owner ("PID 4 (System): VAD").
 */
export async function* scanRegion(
  yara: YaraScanner,
  space: VirtualMemory,
  region: ProcessRegion,
  ctx: Pick<PluginContext, 'signal' | 'warn'>,
  about: string,
): AsyncGenerator<YaraMatch> {
  if (region.length > BigInt(MAX_REGION_BYTES)) {
    ctx.warn({
      code: 'LIMIT',
      message: `${about} 0x${region.start.toString(16)} is larger than ${MAX_REGION_BYTES / 2 ** 30} GiB and was not scanned`,
    });
    return;
  }
  // scanRanges' progress would start again at every region: none is reported.
  const scanCtx = { signal: ctx.signal, warn: (w: RunWarning) => ctx.warn(w), progress: () => undefined };
  const read = (address: bigint, length: number) => readPadded(space, address, length);
  yield* scanRanges(yara, [{ start: region.start, length: Number(region.length) }], read, scanCtx);
}
