import type { PluginContext, VadNode, VirtualMemory, WindowsProcess } from '../api.ts';
import { outputFile } from '../common/file-output.ts';
import { writeMemory } from '../common/memory-dump.ts';

/** Volatility 3's largest VAD dumped unless --maxsize says otherwise (vadinfo's MAXSIZE_DEFAULT, 1 GiB). */
export const VAD_MAXSIZE = 1024 * 1024 * 1024;

/**
 * --dump of windows.vadinfo and windows.malfind: the VAD's range written to pid.<PID>.vad.<start>-<end>.dmp as
 * Volatility 3 writes it (what is not mapped or not captured as zeros); the File output cell — the file's name, or
 * `failed` (Volatility's words of each plugin) for a range over `maxsize` bytes (0: no limit), with a warning.
 */
export async function dumpVad(
  ctx: Pick<PluginContext, 'output' | 'signal' | 'warn'>,
  space: VirtualMemory,
  p: WindowsProcess,
  v: VadNode,
  { maxsize = VAD_MAXSIZE, failed }: { maxsize?: number; failed: string },
): Promise<string> {
  const size = v.end - v.start + 1n;
  if (size <= 0n || (maxsize > 0 && size > BigInt(maxsize))) {
    const message = `PID ${p.pid} (${p.name}) VAD 0x${v.start.toString(16)}-0x${v.end.toString(16)}: ${size} bytes, over --maxsize ${maxsize}; not dumped`;
    ctx.warn({ code: 'LIMIT', message });
    return failed;
  }
  const file = await outputFile(ctx, `pid.${p.pid}.vad.0x${v.start.toString(16)}-0x${v.end.toString(16)}.dmp`);
  if (typeof file === 'string') return file;
  await file.close(await writeMemory(ctx, space, v.start, size, file, 0));
  return file.name;
}
