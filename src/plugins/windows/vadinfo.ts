import type { PluginDefinition } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';
import { dumpVad, VAD_MAXSIZE } from './vad-dump.ts';

export const vadinfo: PluginDefinition = {
  name: 'windows.vadinfo',
  description: 'Lists process memory ranges (the VAD tree of each process).',
  version: '1.1.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Offset', type: 'hex', address: 'kernel' },
    // Volatility names them VPNs but prints the first and last byte of the range.
    { name: 'Start VPN', type: 'hex', address: 'process' },
    { name: 'End VPN', type: 'hex', address: 'process' },
    { name: 'Tag', type: 'str' },
    { name: 'Protection', type: 'str' },
    { name: 'CommitCharge', type: 'int' },
    { name: 'PrivateMemory', type: 'int' },
    { name: 'Parent', type: 'hex', address: 'kernel' },
    { name: 'File', type: 'str' },
    { name: 'File output', type: 'str' },
  ],
  options: [
    PID_OPTION,
    { name: 'address', type: 'int', description: 'Only the range holding this process virtual address' },
    { name: 'dump', type: 'bool', description: 'Extract listed memory ranges' },
    {
      name: 'maxsize',
      type: 'int',
      default: VAD_MAXSIZE,
      description: 'Maximum size for dumped VAD sections (all the bigger sections will be ignored; 0: no limit)',
    },
  ],
  tree: false,
  async *run(ctx) {
    const address = ctx.options['address'] as number | undefined;
    const wanted = address === undefined ? undefined : BigInt(address);
    const dump = ctx.options['dump'] === true;
    const maxsize = (ctx.options['maxsize'] as number | undefined) ?? VAD_MAXSIZE;
    const kernel = await ctx.windows();
    for await (const p of listedProcesses(ctx, kernel)) {
      const space = kernel.processSpace(p);
      for await (const v of kernel.vads(p)) {
        if (wanted !== undefined && (wanted < v.start || wanted > v.end)) continue;
        const output = dump ? await dumpVad(ctx, space, p, v, { maxsize, failed: 'Error outputting file' }) : 'Disabled';
        yield {
          depth: 0,
          values: [p.pid, p.name, v.address, v.start, v.end, v.tag, v.protection, v.commitCharge, v.privateMemory, v.parent, v.file, output],
        };
      }
    }
  },
};
