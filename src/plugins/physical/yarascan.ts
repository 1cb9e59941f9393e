import type { PhysicalMemory, PluginDefinition } from '../api.ts';
import { hexPairs } from '../common/hex-pairs.ts';
import { compileOptionRules, YARA_OPTIONS, yaraSource } from '../common/yara-options.ts';
import { hostScanned, YARA_CHUNK, YARA_OVERLAP, YARA_STAGE, scanRanges, type RangeReader } from '../common/yara-scan.ts';

export const yarascan: PluginDefinition = {
  name: 'yarascan.yarascan',
  description: `Scans the captured physical memory with YARA rules (YARA-X); a match longer than ${YARA_OVERLAP / 1024} KiB may be missed.`,
  version: '1.0.0',
  requirements: [],
  columns: [
    { name: 'Offset', type: 'hex', address: 'physical' },
    { name: 'Rule', type: 'str' },
    { name: 'Component', type: 'str' },
    { name: 'Value', type: 'bytes' },
  ],
  options: YARA_OPTIONS,
  tree: false,
  async *run(ctx) {
    // Compiled here even when the host's workers scan: the rules' errors and warnings are the run's.
    const rules = await compileOptionRules(ctx);
    try {
      const pooled = ctx.physicalYara?.(yaraSource(ctx.options), (done, total) => ctx.progress(done, total, YARA_STAGE));
      const ranges = ctx.physical.runs.map((r) => ({ start: BigInt(r.start), length: r.length }));
      const matches = pooled ? hostScanned(pooled, ctx) : scanRanges(rules, ranges, physicalReader(ctx.physical), ctx);
      for await (const m of matches) {
        yield { depth: 0, values: [m.address, m.rule, m.pattern, hexPairs(m.value)] };
      }
    } finally {
      rules.free();
    }
  },
};

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
