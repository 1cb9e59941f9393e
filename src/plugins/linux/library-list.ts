import type { PluginDefinition } from '../api.ts';
import { readElfHeader } from './elf-header.ts';
import { linkMaps } from './elf-link-maps.ts';
import { listedUserSpaces, TASK_OPTIONS } from './task-rows.ts';

/** Bytes of a link map's l_name read, as Volatility 3 reads it (a name not all readable in them is left out). */
const NAME_BYTES = 256;

export const libraryList: PluginDefinition = {
  name: 'linux.library_list',
  description: "Enumerate libraries loaded into processes: the dynamic loader's link maps reached from each mapped ELF image's GOT.",
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Name', type: 'str' },
    { name: 'Pid', type: 'int' },
    { name: 'LoadAddress', type: 'hex', address: 'process' },
    { name: 'Path', type: 'str' },
  ],
  options: TASK_OPTIONS.filter((o) => o.name === 'pid'),
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const { task, space } of listedUserSpaces(ctx, linux)) {
      const about = `PID ${task.pid} (${task.comm})`;
      // Each library once a process, by its load address, though every image's GOT leads to the loader's list.
      const loaded = new Set<bigint>();
      for (const vma of await linux.vmas(task, about)) {
        const elf = await readElfHeader(space, vma.start);
        if (!elf) continue;
        for await (const map of linkMaps(space, elf, (w) => ctx.warn(w), about)) {
          if (map.lAddr === 0n || map.lName === 0n || loaded.has(map.lAddr)) continue;
          loaded.add(map.lAddr);
          const path = await linux.readCString(map.lName, NAME_BYTES, space);
          if (path) yield { depth: 0, values: [task.comm, task.pid, map.lAddr, path] };
        }
      }
    }
  },
};
