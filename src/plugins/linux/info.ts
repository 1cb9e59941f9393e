import type { LinuxKernelContext, PhysicalMemory } from '../api.ts';
import { infoPlugin } from '../common/info-plugin.ts';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

export const info = infoPlugin('linux', async (ctx) => infoRows(await ctx.linux(), ctx.physical));

async function infoRows(kernel: LinuxKernelContext, physical: PhysicalMemory): Promise<[string, string][]> {
  const d = kernel.info;
  const rows: [string, string][] = [
    ['Banner', d.banner || 'not found'],
    ['Release', d.release],
    ['KASLR offset', d.kaslrOffset],
    ['phys_base', d.physBase],
    ['DTB (init_top_pgt)', hex(kernel.dtb)],
    ['VMCOREINFO', d.vmcoreinfoFoundAt === 'container note' ? 'container note' : `found at ${d.vmcoreinfoFoundAt}`],
    ['Symbols', kernel.symbolTableName],
  ];
  if (d.typeCount !== undefined) rows.push(['Types', String(d.typeCount)]);
  if (d.symbolCount !== undefined) rows.push(['Kernel symbols', String(d.symbolCount)]);
  rows.push(['layer_name', '0 Intel32e (4-level)'], ['memory_layer', `1 ${physical.format}`]);
  if (kernel.hasSymbol('init_uts_ns') && kernel.hasStruct('uts_namespace')) {
    const uts = await kernel.readStruct('uts_namespace', kernel.symbolAddress('init_uts_ns'));
    if (uts) {
      for (const [label, field] of [
        ['Hostname', 'name.nodename'],
        ['Domain', 'name.domainname'],
        ['Machine', 'name.machine'],
        ['Version', 'name.version'],
      ] as const) {
        rows.push([label, uts.text(field)]);
      }
    }
  }
  if (kernel.hasSymbol('saved_command_line')) {
    const pointer = await kernel.readPointer(kernel.symbolAddress('saved_command_line'));
    const cmdline = pointer === null ? null : await kernel.readCString(pointer, 4096);
    if (cmdline !== null) rows.push(['Kernel command line', cmdline]);
  }
  return rows;
}
