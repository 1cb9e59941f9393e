import type { LoaderList, PluginDefinition, WindowsKernelContext, WindowsProcess } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';

/** "MZ": the DOS header's e_magic, which Volatility 3 takes as the mark of a mapped image. */
const MZ = [0x4d, 0x5a] as const;

/**
 * Volatility 3's windows.ldrmodules: every region of a process that starts with an MZ header, and whether the PEB
 * loader's three module lists hold a module at its base. A DLL unlinked from one list, or a mapped image in none
 * (reflective loading), is what it shows.
 */
export const ldrmodules: PluginDefinition = {
  name: 'windows.ldrmodules',
  description: 'Lists the loaded modules in a particular windows memory image.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Pid', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Base', type: 'hex', address: 'process' },
    { name: 'InLoad', type: 'bool' },
    { name: 'InInit', type: 'bool' },
    { name: 'InMem', type: 'bool' },
    { name: 'MappedPath', type: 'str' },
  ],
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      const [load, init, memory] = [await bases(kernel, p, 'load'), await bases(kernel, p, 'init'), await bases(kernel, p, 'memory')];
      for (const [base, file] of await mappedImages(kernel, p)) {
        yield { depth: 0, values: [p.pid, p.name, base, load.has(base), init.has(base), memory.has(base), file] };
      }
    }
  },
};

async function bases(kernel: WindowsKernelContext, p: WindowsProcess, list: LoaderList): Promise<Set<bigint>> {
  const found = new Set<bigint>();
  for await (const m of kernel.loadedModules(p, list)) found.add(m.base);
  return found;
}

/** The regions starting with an MZ header, in VAD order, with their mapped file (null for private memory). */
async function mappedImages(kernel: WindowsKernelContext, p: WindowsProcess): Promise<Map<bigint, string | null>> {
  const space = kernel.processSpace(p);
  const images = new Map<bigint, string | null>();
  for await (const vad of kernel.vads(p)) {
    const magic = await space.read(vad.start, MZ.length);
    if (magic && magic[0] === MZ[0] && magic[1] === MZ[1] && !images.has(vad.start)) images.set(vad.start, vad.file);
  }
  return images;
}
