import { hex } from '../../io/hex.ts';
import type { CachedInode, InodeInfo } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import { readInode } from './inode.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { namedHlistNodes } from '../list-walk.ts';
import { listEntries } from './list-walk.ts';
import { namespaceMounts } from './mounts.ts';
import { listTasks } from './task.ts';
import { dentryName } from './vfs-path.ts';

/** Deeper directory trees or mount chains are smear or a loop (PATH_MAX allows no deeper real path we read). */
const MAX_DEPTH = 256;
/** More dentries than any dentry cache holds in the memory we read (a dentry is 192 bytes); beyond it, smear. */
const MAX_DENTRIES = 1 << 22;
/** Volatility reads a fast symlink's target as a string of at most 255 bytes. */
const MAX_LINK = 255;

interface Superblock {
  readonly view: StructView;
  readonly mountPoint: string;
}

interface PathRoot {
  readonly vfsmount: bigint;
  readonly dentry: bigint;
}

/**
 * Every inode reachable from the dentry cache of every mounted superblock, each once, as Volatility 3's
 * linux.pagecache.Files: the superblocks in the order processes' mount namespaces list their mounts, each superblock's
 * root and then its dentry tree depth first (negative dentries and invalid inodes left out, with what is below them).
 */
export async function* cachedInodes(kernel: LinuxKernel, warn: Warn): AsyncGenerator<CachedInode> {
  const seenInodes = new Set<bigint>();
  const walk = new DentryWalk(kernel, warn);
  for await (const sb of superblocks(kernel, warn)) {
    const { view } = sb;
    const rootDentry = view.u64('s_root');
    if (rootDentry === 0n) continue;
    const root = await kernel.readStruct('dentry', rootDentry);
    if (!root || root.u64('d_parent') !== rootDentry) continue;
    const rootInode = await readInode(kernel, root.u64('d_inode'), warn);
    if (!rootInode || seenInodes.has(rootInode.address)) continue;
    seenInodes.add(rootInode.address);
    const dev = view.u32('s_dev');
    const where = { superblock: view.address, mountPoint: sb.mountPoint, device: `${dev >>> 20}:${dev & 0xfffff}` };
    yield { ...where, inode: rootInode, path: sb.mountPoint };
    for await (const { path, inode } of walk.below(root, sb.mountPoint === '/' ? '' : sb.mountPoint, 0)) {
      if (seenInodes.has(inode.address)) continue;
      seenInodes.add(inode.address);
      yield { ...where, inode, path: inode.type === 'LNK' ? await withLinkTarget(kernel, inode.address, path) : path };
    }
  }
}

/**
 * The superblocks of the mounts of every process's mount namespace (mountinfo's get_superblocks): processes in task
 * list order, a namespace's mounts in its order, each superblock once with the first mount's mount point as seen from
 * the root directory of the first process in that namespace.
 */
async function* superblocks(kernel: LinuxKernel, warn: Warn): AsyncGenerator<Superblock> {
  const seenNamespaces = new Set<bigint>();
  const seenSuperblocks = new Set<bigint>();
  for await (const task of listTasks(kernel, warn)) {
    const fs = task.view.u64('fs');
    const nsproxy = task.view.u64('nsproxy');
    const fsView = fs === 0n ? null : await kernel.readStruct('fs_struct', fs);
    const ns = nsproxy === 0n ? null : await kernel.vm.readU64(nsproxy + BigInt(kernel.layout.offset('nsproxy', 'mnt_ns')));
    if (!fsView || !ns || seenNamespaces.has(ns)) continue;
    seenNamespaces.add(ns);
    const root = { vfsmount: fsView.u64('root.mnt'), dentry: fsView.u64('root.dentry') };
    const namespace = { address: ns, id: null, root: 0n };
    for await (const address of namespaceMounts(kernel, namespace, warn)) {
      const mount = await kernel.readStruct('mount', address);
      const sb = mount ? mount.u64('mnt.mnt_sb') : 0n;
      const view = !mount || sb === 0n || seenSuperblocks.has(sb) ? null : await kernel.readStruct('super_block', sb);
      if (!mount || !view) continue;
      seenSuperblocks.add(sb);
      yield { view, mountPoint: await mountPath(kernel, root, mount, warn) };
    }
  }
}

/**
 * Where a mount's root is, seen from a process's root (prepend_path, as Volatility's do_get_path): up the dentries,
 * across each mount's root into its parent, stopping at the process's root or the namespace's.
 */
async function mountPath(kernel: LinuxKernel, root: PathRoot, mount: StructView, warn: Warn): Promise<string> {
  const vfsmountAt = BigInt(kernel.layout.offset('mount', 'mnt'));
  const parts: string[] = [];
  let m: StructView | null = mount;
  let dentry = mount.u64('mnt.mnt_root');
  for (let steps = 0; steps < MAX_DEPTH * 2; steps++) {
    if (dentry === root.dentry && m.address + vfsmountAt === root.vfsmount) break;
    const view = await kernel.readStruct('dentry', dentry);
    if (!view) {
      warn({ code: 'UNREADABLE', message: `mount ${hex(mount.address)}: a dentry on its mount point's path is not readable`, address: hex(dentry) });
      break;
    }
    const mntRoot = m.u64('mnt.mnt_root');
    if (dentry === mntRoot || view.u64('d_parent') === dentry) {
      const parent = m.u64('mnt_parent');
      if (dentry !== mntRoot || parent === m.address) break;
      dentry = m.u64('mnt_mountpoint');
      m = await kernel.readStruct('mount', parent);
      if (!m) {
        warn({ code: 'UNREADABLE', message: `mount ${hex(mount.address)}: a parent mount is not readable`, address: hex(parent) });
        break;
      }
      continue;
    }
    parts.push((await dentryName(kernel, view)).replace(/^\/+|\/+$/g, ''));
    dentry = view.u64('d_parent');
  }
  return `/${parts.reverse().join('/')}`;
}

/** Depth-first walk of dentry trees, each dentry once across all trees. */
class DentryWalk {
  private readonly seen = new Set<bigint>();
  private stopped = false;

  constructor(
    private readonly kernel: LinuxKernel,
    private readonly warn: Warn,
  ) {}

  /** The children of `dir` with a valid inode and a name, each followed by what is below it when it is a directory. */
  async *below(dir: StructView, dirPath: string, depth: number): AsyncGenerator<{ path: string; inode: InodeInfo }> {
    if (depth >= MAX_DEPTH) {
      this.warn({ code: 'SMEAR', message: `dentries under ${dirPath} nest deeper than ${MAX_DEPTH}: not read further`, address: hex(dir.address) });
      return;
    }
    for await (const address of this.children(dir, dirPath || '/')) {
      if (this.stopped || address === dir.address || this.seen.has(address)) continue;
      if (this.seen.size >= MAX_DENTRIES) {
        this.stopped = true;
        this.warn({ code: 'LIMIT', message: `more than ${MAX_DENTRIES} dentries: the rest not read`, address: hex(address) });
        return;
      }
      this.seen.add(address);
      const dentry = await this.kernel.readStruct('dentry', address);
      const inodeAddress = dentry ? dentry.u64('d_inode') : 0n;
      const inode = inodeAddress === 0n ? null : await readInode(this.kernel, inodeAddress, this.warn);
      if (!dentry || !inode || dentry.u64('d_name.name') === 0n) continue;
      const path = `${dirPath}/${await dentryName(this.kernel, dentry)}`;
      yield { path, inode };
      if (inode.type === 'DIR') yield* this.below(dentry, path, depth + 1);
    }
  }

  /** A directory's child dentries: the d_subdirs list through d_child, or (6.8+) the d_children hlist through d_sib. */
  private async *children(dir: StructView, dirPath: string): AsyncGenerator<bigint> {
    const k = this.kernel;
    const what = `subdirectories of ${dirPath}`;
    if (dir.has('d_subdirs')) {
      const childAt = BigInt(k.layout.offset('dentry', 'd_child'));
      for await (const link of listEntries(k, dir.addressOf('d_subdirs'), what, this.warn)) yield link - childAt;
      return;
    }
    const sibAt = BigInt(k.layout.offset('dentry', 'd_sib'));
    for await (const node of namedHlistNodes(k.vm, dir.addressOf('d_children'), what, this.warn, MAX_DENTRIES)) yield node - sibAt;
  }
}

/** "path -> target" for a fast symlink (i_link, 4.2+), as Volatility shows symlinks; the path alone otherwise. */
async function withLinkTarget(kernel: LinuxKernel, inode: bigint, path: string): Promise<string> {
  if (!kernel.layout.has('inode', 'i_link')) return path;
  const link = await kernel.vm.readU64(inode + BigInt(kernel.layout.offset('inode', 'i_link')));
  if (!link) return path;
  return `${path} -> ${cString(await kernel.vm.readPadded(link, MAX_LINK))}`;
}
