import type { LinuxKernelContext, LinuxTask, PluginDefinition, PluginContext } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { historyTime, scanHistory, type HeapRange } from './bash-history.ts';
import { listedTasks } from './task-rows.ts';

/** The process names Volatility 3's linux.bash looks into. */
const SHELLS: ReadonlySet<string> = new Set(['bash', 'sh', 'dash']);
/** Most heap bytes scanned per process (bash's heap holds its history: a few MiB); the rest is left with a warning. */
const MAX_HEAP = 64 * 1024 * 1024;
/** Most history entries checked per process (bash keeps HISTSIZE of them, 500 unless set). */
const MAX_ENTRIES = 1 << 20;

export const bash: PluginDefinition = {
  name: 'linux.bash',
  description: 'Recovers bash command history from memory (the history entries on the heap of each bash, sh and dash process).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'CommandTime', type: 'datetime' },
    { name: 'Command', type: 'str' },
  ],
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const task of listedTasks(ctx, linux)) {
      if (!SHELLS.has(task.comm)) continue;
      // Kernel threads have no user space (nor does a task whose mm_struct is unreadable).
      const space = await linux.processSpace(task);
      if (!space) continue;
      const who = `PID ${task.pid} (${task.comm})`;
      const heap = await heapRanges(ctx, linux, task, who);
      if (!heap) continue;
      const scan = await scanHistory(space, heap, { maxBytes: MAX_HEAP, maxEntries: MAX_ENTRIES }, ctx.signal);
      if (scan.unscanned > 0n) {
        ctx.warn({ code: 'LIMIT', message: `${who}: heap larger than ${MAX_HEAP >> 20} MiB; the rest (${scan.unscanned} bytes) not scanned` });
      }
      if (scan.entriesCapped) ctx.warn({ code: 'LIMIT', message: `${who}: more than ${MAX_ENTRIES} history entry candidates; the rest not checked` });
      for (const line of scan.lines) yield { depth: 0, values: [task.pid, task.comm, historyTime(line.seconds), line.command] };
    }
  },
};

/**
 * The mappings holding the process's heap, as Volatility 3's get_process_memory_sections(heap_only=True): those
 * reaching from mm->start_brk to mm->brk, ends included; null (with a warning) when the mm_struct is not readable.
 */
async function heapRanges(ctx: PluginContext, linux: LinuxKernelContext, task: LinuxTask, who: string): Promise<HeapRange[] | null> {
  const mm = await linux.readStruct('mm_struct', task.mm);
  if (!mm) {
    ctx.warn({ code: 'UNREADABLE', message: `${who}: mm_struct not readable`, address: `0x${task.mm.toString(16)}` });
    return null;
  }
  const [startBrk, brk] = [mm.u64('start_brk'), mm.u64('brk')];
  return (await linux.vmas(task, who)).filter((v) => v.start <= brk && v.end >= startBrk).map(({ start, end }) => ({ start, end }));
}
