import type { PhysicalMemory, WindowsKernelContext } from '../api.ts';
import { infoPlugin } from '../common/info-plugin.ts';

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

export const info = infoPlugin('windows', async (ctx) => infoRows(await ctx.windows(), ctx.physical));

async function infoRows(kernel: WindowsKernelContext, physical: PhysicalMemory): Promise<[string, string][]> {
  const rows: [string, string][] = [
    ['Kernel Base', hex(kernel.image.base)],
    ['DTB', hex(kernel.dtb)],
    ['Symbols', kernel.symbolTableName],
    ['Is64Bit', 'True'],
    ['IsPAE', 'False'],
    ['layer_name', '0 WindowsIntel32e'],
    ['memory_layer', `1 ${physical.format}`],
  ];
  if (kernel.hasSymbol('KdVersionBlock')) {
    const at = kernel.symbolAddress('KdVersionBlock');
    const vers = await kernel.readStruct('_DBGKD_GET_VERSION64', at);
    if (vers) {
      rows.push(
        ['KdVersionBlock', hex(at)],
        ['Major/Minor', `${vers.u16('MajorVersion')}.${vers.u16('MinorVersion')}`],
        ['MachineType', String(vers.u16('MachineType'))],
      );
    }
  }
  if (kernel.hasSymbol('KeNumberProcessors')) {
    const cpus = await kernel.vm.readU32(kernel.symbolAddress('KeNumberProcessors'));
    if (cpus !== null) rows.push(['KeNumberProcessors', String(cpus)]);
  }
  if (kernel.hasSymbol('NtBuildLab')) {
    const lab = await kernel.vm.read(kernel.symbolAddress('NtBuildLab'), 128);
    if (lab) {
      const end = lab.indexOf(0);
      rows.push(['NtBuildLab', new TextDecoder('latin1').decode(end < 0 ? lab : lab.subarray(0, end))]);
    }
  }
  const shared = await kernel.sharedUserData();
  if (shared) {
    rows.push(
      ['SystemTime', shared.systemTime ? shared.systemTime.replace('T', ' ') : 'N/A'],
      ['NtSystemRoot', shared.ntSystemRoot],
      ['NtProductType', shared.ntProductType],
      ['NtMajorVersion', String(shared.ntMajorVersion)],
      ['NtMinorVersion', String(shared.ntMinorVersion)],
    );
    if (shared.ntBuildNumber !== null) rows.push(['NtBuildNumber', String(shared.ntBuildNumber)]);
  }
  const pe = kernel.image;
  rows.push(
    ['PE MajorOperatingSystemVersion', String(pe.majorOperatingSystemVersion)],
    ['PE MinorOperatingSystemVersion', String(pe.minorOperatingSystemVersion)],
    ['PE Machine', String(pe.machine)],
    ['PE TimeDateStamp', asctime(pe.timeDateStamp)],
  );
  return rows;
}

/** Python's time.asctime(time.gmtime(t)): "Sun Dec  8 04:27:43 2019". */
function asctime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
