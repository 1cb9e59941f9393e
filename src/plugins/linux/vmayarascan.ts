import type { PluginDefinition } from '../api.ts';
import { PROCESS_YARA_COLUMNS, PROCESS_YARA_OPTIONS, processYaraRows } from '../common/region-yara.ts';
import { YARA_OVERLAP } from '../common/yara-scan.ts';
import { listedTasks } from './task-rows.ts';

export const vmayarascan: PluginDefinition = {
  name: 'linux.vmayarascan',
  description: `Scans each process's memory mappings (VMAs) with YARA rules (YARA-X); a match longer than ${YARA_OVERLAP / 1024} KiB may be missed.`,
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: PROCESS_YARA_COLUMNS,
  options: PROCESS_YARA_OPTIONS,
  tree: false,
  run: (ctx) =>
    processYaraRows(ctx, 'VMA', async function* () {
      const linux = await ctx.linux();
      // Thread-group leaders only: a process's threads share its mappings.
      for await (const task of listedTasks(ctx, linux)) {
        // Kernel threads have no user space (nor does a task whose mm_struct is unreadable).
        const space = await linux.processSpace(task);
        if (!space) continue;
        // A VMA's end is the first byte after it.
        const regions = (await linux.vmas(task)).map((v) => ({ start: v.start, length: v.end - v.start }));
        yield { pid: task.pid, name: task.comm, space, regions };
      }
    }),
};
