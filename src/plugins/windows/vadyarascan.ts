import type { PluginDefinition, WindowsKernelContext, WindowsProcess } from '../api.ts';
import { PROCESS_YARA_COLUMNS, PROCESS_YARA_OPTIONS, processYaraRows, type ProcessRegion } from '../common/region-yara.ts';
import { YARA_OVERLAP } from '../common/yara-scan.ts';
import { listedProcesses } from './process-columns.ts';

export const vadyarascan: PluginDefinition = {
  name: 'windows.vadyarascan',
  description: `Scans each process's VADs with YARA rules (YARA-X); a match longer than ${YARA_OVERLAP / 1024} KiB may be missed.`,
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: PROCESS_YARA_COLUMNS,
  options: PROCESS_YARA_OPTIONS,
  tree: false,
  run: (ctx) =>
    processYaraRows(ctx, 'VAD', async function* () {
      const kernel = await ctx.windows();
      for await (const p of listedProcesses(ctx, kernel)) {
        yield { pid: p.pid, name: p.name, space: kernel.processSpace(p), regions: vadRegions(kernel, p) };
      }
    }),
};

/** A VAD's end is its last byte. */
async function* vadRegions(kernel: WindowsKernelContext, p: WindowsProcess): AsyncGenerator<ProcessRegion> {
  for await (const v of kernel.vads(p)) yield { start: v.start, length: v.end - v.start + 1n };
}
