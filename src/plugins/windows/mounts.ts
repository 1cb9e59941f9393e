import type { PluginDefinition, PluginContext, WindowsKernelContext } from '../api.ts';

/** Drive letters ("C:") and volume GUID links ("Volume{0c4f…}"): what a responder asks the namespace for. */
const DRIVE = /^[A-Za-z]:$/;
const VOLUME = /^Volume\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
/** More session and logon-session directories than any system has; beyond: smear (each walk reads a whole directory). */
const MAX_DIRECTORIES = 1024;

interface Directory {
  readonly object: bigint | undefined;
  readonly path: string;
}

/**
 * The object manager's directories that hold drive letters: \GLOBAL?? (every user's) and each logon session's
 * \Sessions\<n>\DosDevices\<LUID> (a user's mapped network drives and subst drives), each directory once.
 */
async function* dosDeviceDirectories(kernel: WindowsKernelContext, ctx: PluginContext): AsyncGenerator<Directory> {
  const root: Directory = { object: undefined, path: '' };
  const global = await child(kernel, root, 'GLOBAL??');
  if (global) yield global;
  else ctx.warn({ code: 'SMEAR', message: 'the object namespace has no \\GLOBAL?? directory: no global drive letters' });
  // Each directory once (a smeared entry may lead back), and at most MAX_DIRECTORIES of them: null beyond.
  const seen = new Set<bigint>();
  const fresh = (d: Directory): boolean | null => {
    if (seen.has(d.object!)) return false;
    if (seen.size === MAX_DIRECTORIES) {
      ctx.warn({ code: 'LIMIT', message: `more than ${MAX_DIRECTORIES} session and logon-session directories; the rest not read` });
      return null;
    }
    seen.add(d.object!);
    return true;
  };
  const sessions = await child(kernel, root, 'Sessions');
  for (const session of sessions ? await subdirectories(kernel, sessions) : []) {
    const walk = fresh(session);
    if (walk === null) return;
    const dosDevices = walk ? await child(kernel, session, 'DosDevices') : null;
    for (const logon of dosDevices ? await subdirectories(kernel, dosDevices) : []) {
      const take = fresh(logon);
      if (take === null) return;
      if (take) yield logon;
    }
  }
}

/** The subdirectory of `parent` named `name` (case-insensitive, as the object manager compares). */
async function child(kernel: WindowsKernelContext, parent: Directory, name: string): Promise<Directory | null> {
  for await (const e of kernel.objectDirectory(parent.object)) {
    if (e.type === 'Directory' && e.name.toUpperCase() === name.toUpperCase()) return { object: e.object, path: `${parent.path}\\${e.name}` };
  }
  return null;
}

async function subdirectories(kernel: WindowsKernelContext, parent: Directory): Promise<Directory[]> {
  const out: Directory[] = [];
  for await (const e of kernel.objectDirectory(parent.object)) {
    if (e.type === 'Directory' && e.object !== parent.object) out.push({ object: e.object, path: `${parent.path}\\${e.name}` });
  }
  return out;
}

/** Drive letters before volumes, each by name. */
const order = (name: string): string => `${DRIVE.test(name) ? 0 : 1}${name.toUpperCase()}`;

export const mounts: PluginDefinition = {
  name: 'windows.mounts',
  description:
    "Drive letters and volumes from the object manager's namespace: \\GLOBAL??'s drive letter and Volume{GUID} links and each " +
    "logon session's own drive letters (mapped network drives: \\Device\\LanmanRedirector\\…), with their targets.",
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Name', type: 'str' },
    { name: 'Target', type: 'str' },
    { name: 'Directory', type: 'str' },
    { name: 'CreateTime', type: 'datetime' },
    { name: 'Offset', type: 'hex', address: 'kernel' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const directory of dosDeviceDirectories(kernel, ctx)) {
      const names: { name: string; object: bigint }[] = [];
      for await (const e of kernel.objectDirectory(directory.object)) {
        if (e.type === 'SymbolicLink' && (DRIVE.test(e.name) || VOLUME.test(e.name))) names.push(e);
      }
      names.sort((a, b) => (order(a.name) < order(b.name) ? -1 : 1));
      for (const { object } of names) {
        const link = await kernel.symbolicLink(object);
        if (link) yield { depth: 0, values: [link.name, link.target, directory.path, link.createTime, link.offset] };
      }
    }
  },
};
