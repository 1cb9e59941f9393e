import type { PluginDefinition } from './plugin-definition.ts';
import { arp as linuxArp } from './linux/arp.ts';
import { bash as linuxBash } from './linux/bash.ts';
import { checkCreds as linuxCheckCreds } from './linux/check-creds.ts';
import { checkIdt as linuxCheckIdt } from './linux/check-idt.ts';
import { checkModules as linuxCheckModules } from './linux/check-modules.ts';
import { checkSyscall as linuxCheckSyscall } from './linux/check-syscall.ts';
import { elfs as linuxElfs } from './linux/elfs.ts';
import { envars as linuxEnvars } from './linux/envars.ts';
import { hiddenModules as linuxHiddenModules } from './linux/hidden-modules.ts';
import { info as linuxInfo } from './linux/info.ts';
import { keyboardNotifiers as linuxKeyboardNotifiers } from './linux/keyboard-notifiers.ts';
import { kmsg as linuxKmsg } from './linux/kmsg.ts';
import { libraryList as linuxLibraryList } from './linux/library-list.ts';
import { lsmod as linuxLsmod } from './linux/lsmod.ts';
import { lsof as linuxLsof } from './linux/lsof.ts';
import { malfind as linuxMalfind } from './linux/malfind.ts';
import { mountinfo as linuxMountinfo } from './linux/mountinfo.ts';
import { netfilter as linuxNetfilter } from './linux/netfilter.ts';
import { pagecacheFiles as linuxPagecacheFiles } from './linux/pagecache-files.ts';
import { pagecacheInodePages as linuxPagecacheInodePages } from './linux/pagecache-inode-pages.ts';
import { procMaps as linuxProcMaps } from './linux/proc-maps.ts';
import { psaux as linuxPsaux } from './linux/psaux.ts';
import { pslist as linuxPslist } from './linux/pslist.ts';
import { pidhashtable as linuxPidhashtable } from './linux/pidhashtable.ts';
import { psscan as linuxPsscan } from './linux/psscan.ts';
import { psxview as linuxPsxview } from './linux/psxview.ts';
import { pstree as linuxPstree } from './linux/pstree.ts';
import { sockstat as linuxSockstat } from './linux/sockstat.ts';
import { vmayarascan as linuxVmayarascan } from './linux/vmayarascan.ts';
import { ttyCheck as linuxTtyCheck } from './linux/tty-check.ts';
import { imageInfo } from './physical/image-info.ts';
import { yarascan } from './physical/yarascan.ts';
import { arp } from './windows/arp.ts';
import { cmdline } from './windows/cmdline.ts';
import { bigpools } from './windows/bigpools.ts';
import { dlllist } from './windows/dlllist.ts';
import { dnscache } from './windows/dnscache.ts';
import { driverscan } from './windows/driverscan.ts';
import { envars } from './windows/envars.ts';
import { filescan } from './windows/filescan.ts';
import { getsids } from './windows/getsids.ts';
import { handles } from './windows/handles.ts';
import { info } from './windows/info.ts';
import { malfind } from './windows/malfind.ts';
import { modscan } from './windows/modscan.ts';
import { modules } from './windows/modules.ts';
import { mounts } from './windows/mounts.ts';
import { mutantscan } from './windows/mutantscan.ts';
import { netscan } from './windows/netscan.ts';
import { netstat } from './windows/netstat.ts';
import { privileges } from './windows/privileges.ts';
import { sessions } from './windows/sessions.ts';
import { ldrmodules } from './windows/ldrmodules.ts';
import { pslist } from './windows/pslist.ts';
import { psscan } from './windows/psscan.ts';
import { pstree } from './windows/pstree.ts';
import { psxview } from './windows/psxview.ts';
import { svcscan } from './windows/svcscan.ts';
import { symlinkscan } from './windows/symlinkscan.ts';
import { thrdscan } from './windows/thrdscan.ts';
import { threads } from './windows/threads.ts';
import { unloadedmodules } from './windows/unloadedmodules.ts';
import { vadinfo } from './windows/vadinfo.ts';
import { vadyarascan } from './windows/vadyarascan.ts';
import { hivelist } from './windows/hivelist.ts';
import { hivescan } from './windows/hivescan.ts';
import { printkey } from './windows/printkey.ts';
import { userassist } from './windows/userassist.ts';

/** Every built-in plugin, by Volatility 3 name. */
export const builtinPlugins: readonly PluginDefinition[] = [
  info,
  pslist,
  pstree,
  psscan,
  cmdline,
  dlllist,
  ldrmodules,
  envars,
  getsids,
  privileges,
  sessions,
  handles,
  vadinfo,
  malfind,
  threads,
  thrdscan,
  psxview,
  bigpools,
  netscan,
  netstat,
  svcscan,
  dnscache,
  arp,
  filescan,
  mutantscan,
  symlinkscan,
  mounts,
  modules,
  modscan,
  driverscan,
  unloadedmodules,
  hivelist,
  hivescan,
  printkey,
  userassist,
  linuxInfo,
  linuxPslist,
  linuxPstree,
  linuxPsscan,
  linuxPidhashtable,
  linuxPsxview,
  linuxPsaux,
  linuxEnvars,
  linuxLsmod,
  linuxMountinfo,
  linuxPagecacheFiles,
  linuxPagecacheInodePages,
  linuxSockstat,
  linuxArp,
  linuxKmsg,
  linuxLsof,
  linuxProcMaps,
  linuxMalfind,
  linuxElfs,
  linuxLibraryList,
  linuxBash,
  linuxCheckSyscall,
  linuxCheckIdt,
  linuxCheckModules,
  linuxHiddenModules,
  linuxCheckCreds,
  linuxNetfilter,
  linuxKeyboardNotifiers,
  linuxTtyCheck,
  imageInfo,
  yarascan,
  vadyarascan,
  linuxVmayarascan,
];

export function findPlugin(name: string, plugins: readonly PluginDefinition[] = builtinPlugins): PluginDefinition | undefined {
  return plugins.find((p) => p.name === name);
}
