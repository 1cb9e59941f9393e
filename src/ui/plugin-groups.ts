/**
 * What each built-in plugin answers, for the picker's headings: groups in display order, each naming its plugins
 * without the OS prefix (windows.pslist and linux.pslist are both "pslist"). Third-party plugins and any built-in not
 * listed here come last.
 */
const GROUPS: readonly (readonly [title: string, names: readonly string[]])[] = [
  ['System', ['info', 'svcscan']],
  [
    'Processes',
    [
      'pslist',
      'pstree',
      'psscan',
      'pidhashtable',
      'psaux',
      'psxview',
      'cmdline',
      'envars',
      'sessions',
      'getsids',
      'privileges',
      'threads',
      'thrdscan',
    ],
  ],
  ['Network', ['sockstat', 'arp', 'netscan', 'netstat', 'dnscache']],
  [
    'Files, handles and modules',
    ['dlllist', 'ldrmodules', 'handles', 'filescan', 'lsof', 'elfs', 'mountinfo', 'mounts', 'pagecache.Files', 'pagecache.InodePages'],
  ],
  ['Process memory', ['vadinfo', 'malfind', 'proc.Maps', 'bash', 'library_list']],
  ['Memory search', ['yarascan', 'vadyarascan', 'vmayarascan']],
  ['Registry', ['registry.hivelist', 'registry.hivescan', 'registry.printkey', 'registry.userassist']],
  ['Kernel', ['lsmod', 'modules', 'modscan', 'driverscan', 'unloadedmodules', 'kmsg', 'bigpools', 'mutantscan', 'symlinkscan']],
  [
    'Rootkit checks',
    ['check_syscall', 'check_idt', 'check_modules', 'hidden_modules', 'check_creds', 'keyboard_notifiers', 'tty_check', 'netfilter'],
  ],
];

export interface PluginGroup<P> {
  readonly title: string;
  readonly plugins: readonly P[];
}

/** The plugins under their headings, in the groups' order then their own; empty groups left out. */
export function groupPlugins<P extends { readonly name: string; readonly origin?: string }>(plugins: readonly P[]): PluginGroup<P>[] {
  const groupOf = (p: P): string => {
    if (p.origin !== undefined) return 'Third-party';
    const name = p.name.slice(p.name.indexOf('.') + 1);
    return GROUPS.find(([, names]) => names.includes(name))?.[0] ?? 'Other';
  };
  const titles = [...GROUPS.map(([title]) => title), 'Other', 'Third-party'];
  return titles.map((title) => ({ title, plugins: plugins.filter((p) => groupOf(p) === title) })).filter((g) => g.plugins.length > 0);
}
