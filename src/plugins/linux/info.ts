import { cString } from '../../os/kernel-base.ts';
import type { LinuxKernel } from '../../os/linux/linux-kernel.ts';
import { infoPlugin } from '../info-plugin.ts';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

export const info = infoPlugin('linux', async (ctx) => infoRows(await ctx.linux()));

async function infoRows(kernel: LinuxKernel): Promise<[string, string][]> {
  const d = kernel.discovery;
  const table = kernel.symbols as { typeCount?: number; symbolCount?: number };
  const rows: [string, string][] = [
    ['Banner', d.banner || 'not found'],
    ['Release', d.release],
    ['KASLR offset', d.kaslrOffset],
    ['phys_base', d.physBase],
    ['DTB (init_top_pgt)', hex(d.dtb)],
    ['VMCOREINFO', d.vmcoreinfoFoundAt === 'container note' ? 'container note' : `found at ${d.vmcoreinfoFoundAt}`],
    ['Symbols', kernel.symbols.origin],
  ];
  if (table.typeCount !== undefined) rows.push(['Types', String(table.typeCount)]);
  if (table.symbolCount !== undefined) rows.push(['Kernel symbols', String(table.symbolCount)]);
  rows.push(['layer_name', '0 Intel32e (4-level)'], ['memory_layer', `1 ${kernel.phys.format}`]);
  if (kernel.hasSymbol('init_uts_ns') && kernel.hasStruct('uts_namespace')) {
    const uts = await kernel.readStruct('uts_namespace', kernel.symbolAddress('init_uts_ns'));
    if (uts) {
      for (const [label, field] of [
        ['Hostname', 'name.nodename'],
        ['Domain', 'name.domainname'],
        ['Machine', 'name.machine'],
        ['Version', 'name.version'],
      ] as const) {
        rows.push([label, cString(uts.raw(field))]);
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
