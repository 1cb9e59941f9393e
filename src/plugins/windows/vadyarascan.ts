import type { PluginDefinition, RunWarning } from '../api.ts';
import { hexPairs } from '../common/hex-pairs.ts';
import { readPadded } from '../common/padded-read.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { compileOptionRules, YARA_OPTIONS } from '../common/yara-options.ts';
import { YARA_OVERLAP, scanRanges } from '../common/yara-scan.ts';
import { listedProcesses } from './process-columns.ts';

/** VADs larger than this are not scanned, as Volatility 3 skips them (its "sanity check"); memscope warns. */
const MAX_VAD_BYTES = 1024 * 1024 * 1024;

export const vadyarascan: PluginDefinition = {
  name: 'windows.vadyarascan',
  description: `Scans each process's VADs with YARA rules (YARA-X); a match longer than ${YARA_OVERLAP / 1024} KiB may be missed.`,
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Offset', type: 'hex', address: 'process' },
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Rule', type: 'str' },
    { name: 'Component', type: 'str' },
    { name: 'Value', type: 'bytes' },
  ],
  options: [...YARA_OPTIONS, PID_OPTION],
  tree: false,
  async *run(ctx) {
    const rules = await compileOptionRules(ctx);
    // scanRanges' progress would start again at every VAD: none is reported.
    const scanCtx = { signal: ctx.signal, warn: (w: RunWarning) => ctx.warn(w), progress: () => undefined };
    try {
      const kernel = await ctx.windows();
      for await (const p of listedProcesses(ctx, kernel)) {
        const space = kernel.processSpace(p);
        const read = (address: bigint, length: number) => readPadded(space, address, length);
        for await (const v of kernel.vads(p)) {
          const length = v.end - v.start + 1n;
          if (length > BigInt(MAX_VAD_BYTES)) {
            ctx.warn({
              code: 'LIMIT',
              message: `PID ${p.pid} (${p.name}): VAD 0x${v.start.toString(16)} is larger than ${MAX_VAD_BYTES / 2 ** 30} GiB and was not scanned`,
            });
            continue;
          }
          // Each VAD on its own, as Volatility 3 scans them: no match spans two.
          for await (const m of scanRanges(rules, [{ start: v.start, length: Number(length) }], read, scanCtx)) {
            yield { depth: 0, values: [m.address, p.pid, p.name, m.rule, m.pattern, hexPairs(m.value)] };
          }
        }
      }
    } finally {
      rules.free();
    }
  },
};
