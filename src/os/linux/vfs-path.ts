import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** Deeper paths are smear or a loop (PATH_MAX allows ~2000 components of one character; none we read). */
const MAX_PATH_DEPTH = 256;
const MAX_NAME = 256;

/** A dentry's name (qstr d_name). */
export async function dentryName(kernel: LinuxKernel, dentry: StructView): Promise<string> {
  const length = Math.min(dentry.u32('d_name.len'), MAX_NAME);
  const bytes = await kernel.vm.read(dentry.u64('d_name.name'), length);
  return bytes ? cString(bytes) : '?';
}

/** The name of the dentry at `address`, or '?' when unreadable. */
export async function dentryNameAt(kernel: LinuxKernel, address: bigint): Promise<string> {
  const view = await kernel.readStruct('dentry', address);
  return view ? dentryName(kernel, view) : '?';
}

/** Path from the filesystem root (a dentry that is its own parent) to `dentry`. */
export async function dentryPath(kernel: LinuxKernel, dentry: bigint): Promise<string> {
  const parts: string[] = [];
  for (let depth = 0; depth < MAX_PATH_DEPTH; depth++) {
    const view = await kernel.readStruct('dentry', dentry);
    if (!view) return `?/${parts.reverse().join('/')}`;
    const parent = view.u64('d_parent');
    if (parent === dentry || parent === 0n) break;
    parts.push(await dentryName(kernel, view));
    dentry = parent;
  }
  return `/${parts.reverse().join('/')}`;
}

/**
 * The path of `dentry` inside mount `mount` as the namespace sees it (d_path): up the dentries, crossing into
 * the parent mount at each mount's root. `warn` is told when a parent mount cannot be read.
 */
export async function pathInMount(kernel: LinuxKernel, mount: StructView | null, dentry: bigint, warn: Warn): Promise<string> {
  const parts: string[] = [];
  let holder = mount;
  // The parent mount read last: the one to name when it is not readable.
  let parent: bigint | undefined;
  for (let depth = 0; depth < MAX_PATH_DEPTH; depth++) {
    if (!holder) {
      const message = `a mount on the path of ${[...parts].reverse().join('/') || 'a file'} is not readable; the path may be incomplete`;
      warn({ code: 'UNREADABLE', message, address: parent === undefined ? undefined : hex(parent) });
      break;
    }
    if (dentry === holder.u64('mnt.mnt_root')) {
      parent = holder.u64('mnt_parent');
      if (parent === holder.address) break;
      dentry = holder.u64('mnt_mountpoint');
      holder = await kernel.readStruct('mount', parent);
      continue;
    }
    const view = await kernel.readStruct('dentry', dentry);
    if (!view) break;
    parts.push(await dentryName(kernel, view));
    const up = view.u64('d_parent');
    if (up === dentry) break;
    dentry = up;
  }
  return `/${parts.reverse().join('/')}`;
}

/** Where a mount is mounted. */
export async function mountPointPath(kernel: LinuxKernel, mount: StructView, warn: Warn): Promise<string> {
  if (mount.u64('mnt_parent') === mount.address) return '/';
  return pathInMount(kernel, await kernel.readStruct('mount', mount.u64('mnt_parent')), mount.u64('mnt_mountpoint'), warn);
}

/** The struct mount around a struct vfsmount (path.mnt points at the `mnt` member). */
export async function mountOfVfsmount(kernel: LinuxKernel, vfsmount: bigint): Promise<StructView | null> {
  return vfsmount === 0n ? null : kernel.readStruct('mount', vfsmount - BigInt(kernel.layout.offset('mount', 'mnt')));
}
