import { describeFile } from './file-info.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import type { LinuxTask } from './task.ts';

/** /proc caps what it shows of argv/envp far below this; a larger range is smear. */
const MAX_AREA = 256 * 1024;
const utf8 = new TextDecoder('utf-8');

/** The executable's path (mm->exe_file, as /proc/<pid>/exe); null for kernel threads or when unreadable. */
export async function executablePath(kernel: LinuxKernel, task: LinuxTask, warn: (m: string) => void): Promise<string | null> {
  if (task.mm === 0n) return null;
  const mm = await kernel.readStruct('mm_struct', task.mm);
  const file = mm?.has('exe_file') ? mm.u64('exe_file') : 0n;
  return file === 0n ? null : ((await describeFile(kernel, file, warn))?.path ?? null);
}

/** argv from the process's memory (mm->arg_start..arg_end); null when a kernel thread or unreadable. */
export async function readArgv(kernel: LinuxKernel, task: LinuxTask): Promise<string[] | null> {
  return readStrings(kernel, task, 'arg_start', 'arg_end');
}

/** The environment as (key, value) pairs (mm->env_start..env_end); null when a kernel thread or unreadable. */
export async function readEnvironment(kernel: LinuxKernel, task: LinuxTask): Promise<[string, string][] | null> {
  const strings = await readStrings(kernel, task, 'env_start', 'env_end');
  return strings && strings.filter((s) => s.length > 0).map((s) => splitVariable(s));
}

function splitVariable(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

async function readStrings(kernel: LinuxKernel, task: LinuxTask, startField: string, endField: string): Promise<string[] | null> {
  if (task.mm === 0n) return null;
  const mm = await kernel.readStruct('mm_struct', task.mm);
  if (!mm) return null;
  const start = mm.u64(startField);
  const end = mm.u64(endField);
  if (end <= start || end - start > BigInt(MAX_AREA)) return end === start ? [] : null;
  const layer = await kernel.processLayer(mm.u64('pgd'));
  const bytes = layer && (await layer.read(start, Number(end - start)));
  if (!bytes) return null;
  const text = utf8.decode(bytes[bytes.length - 1] === 0 ? bytes.subarray(0, -1) : bytes);
  return text.split('\0');
}
