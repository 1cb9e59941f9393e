import type { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';
import { dentryPath, mountPointPath } from './vfs-path.ts';

/** include/linux/mount.h mnt_flags shown by /proc (show_mnt_opts), in the kernel's order. */
const MNT_OPTIONS: readonly [number, string][] = [
  [0x01, 'nosuid'],
  [0x02, 'nodev'],
  [0x04, 'noexec'],
  [0x08, 'noatime'],
  [0x10, 'nodiratime'],
  [0x20, 'relatime'],
  [0x80, 'nosymfollow'],
];
const MNT_READONLY = 0x40;
const MNT_SHARED = 0x1000;
const MNT_UNBINDABLE = 0x2000;
/** include/linux/fs.h superblock flags shown by /proc (show_sb_opts). */
const SB_OPTIONS: readonly [number, string][] = [
  [0x10, 'sync'],
  [0x80, 'dirsync'],
  [0x40, 'mand'],
  [1 << 25, 'lazytime'],
];
const SB_RDONLY = 0x1;
const MAX_MOUNTS = 1 << 16;
const MAX_NAME = 256;

export interface MountInfo {
  readonly address: bigint;
  readonly namespaceId: number;
  readonly id: number;
  readonly parentId: number;
  /** "major:minor" of the superblock's device. */
  readonly device: string;
  /** Path of the mount's root inside its filesystem. */
  readonly root: string;
  readonly mountPoint: string;
  /** ro/rw then the per-mount flags, as /proc/<pid>/mountinfo. */
  readonly mountOptions: readonly string[];
  /** Optional fields: shared:N, master:N, unbindable. */
  readonly fields: readonly string[];
  readonly fsType: string;
  readonly source: string;
  /** ro/rw, superblock flags and the filesystem's own options (tmpfs size=, mode=, ...). */
  readonly superOptions: readonly string[];
  /** The options column of /proc/mounts. */
  readonly procMountsOptions: readonly string[];
}

/** The mounts of init's mount namespace, in the namespace's list order. */
export async function* listMounts(kernel: LinuxKernel, warn: (m: string) => void): AsyncGenerator<MountInfo> {
  const init = await kernel.readStruct('task_struct', kernel.symbolAddress('init_task'));
  const nsproxy = init && (await kernel.readStruct('nsproxy', init.u64('nsproxy')));
  const ns = nsproxy && (await kernel.readStruct('mnt_namespace', nsproxy.u64('mnt_ns')));
  if (!ns) {
    warn('the initial mount namespace (init_task.nsproxy->mnt_ns) is not readable');
    return;
  }
  const namespaceId = ns.has('ns.inum') ? ns.u32('ns.inum') : 0;
  const shmem = new ShmemOptions(kernel);
  for await (const mount of namespaceMounts(kernel, ns, warn)) {
    const info = await readMount(kernel, mount, namespaceId, shmem, warn);
    if (info) yield info;
  }
}

/** struct mount addresses of a namespace: its `list` (before 6.8) or its rbtree `mounts`. */
async function* namespaceMounts(kernel: LinuxKernel, ns: StructView, warn: (m: string) => void): AsyncGenerator<bigint> {
  if (ns.has('list')) {
    const member = BigInt(kernel.layout.offset('mount', 'mnt_list'));
    for await (const link of listEntries(kernel, ns.addressOf('list'), 'mount list', warn, MAX_MOUNTS)) yield link - member;
    return;
  }
  const member = BigInt(kernel.layout.offset('mount', 'mnt_node'));
  const stack: bigint[] = [ns.u64('mounts.rb_node')];
  const seen = new Set<bigint>();
  while (stack.length) {
    const node = stack.pop()!;
    if (node === 0n || seen.has(node)) continue;
    if (seen.size >= MAX_MOUNTS) return warn(`mount tree larger than ${MAX_MOUNTS} entries: walk stopped`);
    seen.add(node);
    const children = await kernel.vm.read(node + 8n, 16);
    if (!children) continue;
    const dv = new DataView(children.buffer, children.byteOffset, 16);
    stack.push(dv.getBigUint64(8, true), dv.getBigUint64(0, true));
    yield node - member;
  }
}

async function readMount(kernel: LinuxKernel, address: bigint, namespaceId: number, shmem: ShmemOptions, warn: (m: string) => void): Promise<MountInfo | null> {
  const mount = await kernel.readStruct('mount', address);
  const sb = mount && (await kernel.readStruct('super_block', mount.u64('mnt.mnt_sb')));
  if (!mount || !sb) {
    warn(`mount at 0x${address.toString(16)} is not readable; skipped`);
    return null;
  }
  const parent = mount.u64('mnt_parent');
  const parentView = parent === address ? mount : await kernel.readStruct('mount', parent);
  const mntFlags = mount.u32('mnt.mnt_flags');
  const sbFlags = Number(sb.u64('s_flags') & 0xffffffffn);
  const access = mntFlags & MNT_READONLY || sbFlags & SB_RDONLY ? 'ro' : 'rw';
  const mountOptions = [mntFlags & MNT_READONLY ? 'ro' : 'rw', ...MNT_OPTIONS.filter(([bit]) => mntFlags & bit).map(([, name]) => name)];
  const sbOptions = SB_OPTIONS.filter(([bit]) => sbFlags & bit).map(([, name]) => name);
  const fsOptions = await shmem.options(sb);
  const fsType = await kernel.readCString(await pointer(kernel, sb.u64('s_type'), 'file_system_type', 'name'), MAX_NAME);
  const dev = sb.u32('s_dev');
  const fields: string[] = [];
  if (mntFlags & MNT_SHARED) fields.push(`shared:${mount.u32('mnt_group_id')}`);
  if (mntFlags & MNT_UNBINDABLE) fields.push('unbindable');
  return {
    address,
    namespaceId,
    id: mount.u32('mnt_id'),
    parentId: parentView ? parentView.u32('mnt_id') : 0,
    device: `${dev >>> 20}:${dev & 0xfffff}`,
    root: await dentryPath(kernel, mount.u64('mnt.mnt_root')),
    mountPoint: await mountPointPath(kernel, mount, warn),
    mountOptions,
    fields,
    fsType: fsType ?? '?',
    source: (await kernel.readCString(mount.u64('mnt_devname'), MAX_NAME)) || 'none',
    superOptions: [sbFlags & SB_RDONLY ? 'ro' : 'rw', ...sbOptions, ...fsOptions],
    procMountsOptions: [access, ...sbOptions, ...mountOptions.slice(1), ...fsOptions],
  };
}

async function pointer(kernel: LinuxKernel, address: bigint, struct: string, field: string): Promise<bigint> {
  if (address === 0n) return 0n;
  return (await kernel.vm.readU64(address + BigInt(kernel.layout.offset(struct, field)))) ?? 0n;
}

/**
 * tmpfs / devtmpfs / shmem-backed rootfs options as shmem_show_options prints them: size and nr_inodes when
 * not the defaults (half of RAM), mode when not 1777, uid/gid when not root, inode64 for 64-bit inode numbers.
 */
class ShmemOptions {
  private defaults: Promise<bigint | null> | undefined;

  constructor(private readonly kernel: LinuxKernel) {}

  async options(sb: StructView): Promise<string[]> {
    const k = this.kernel;
    if (!k.hasSymbol('shmem_ops') || sb.u64('s_op') !== k.symbolAddress('shmem_ops') || !k.hasStruct('shmem_sb_info')) return [];
    const info = await k.readStruct('shmem_sb_info', sb.u64('s_fs_info'));
    if (!info) return [];
    const half = await (this.defaults ??= this.halfOfRam());
    const out: string[] = [];
    const blocks = info.u64('max_blocks');
    if (half !== null && blocks !== half) out.push(`size=${blocks * 4n}k`);
    const inodes = info.u64('max_inodes');
    if (half !== null && inodes !== half) out.push(`nr_inodes=${inodes}`);
    const mode = info.u16('mode') & 0o7777;
    if (mode !== 0o1777) out.push(`mode=${mode.toString(8).padStart(3, '0')}`);
    if (info.has('uid.val') && info.u32('uid.val') !== 0) out.push(`uid=${info.u32('uid.val')}`);
    if (info.has('gid.val') && info.u32('gid.val') !== 0) out.push(`gid=${info.u32('gid.val')}`);
    if (info.has('full_inums') && info.u8('full_inums')) out.push('inode64');
    return out;
  }

  /** totalram_pages() / 2: the default size and inode count of a tmpfs. */
  private async halfOfRam(): Promise<bigint | null> {
    if (!this.kernel.hasSymbol('_totalram_pages')) return null;
    const pages = await this.kernel.vm.readU64(this.kernel.symbolAddress('_totalram_pages'));
    return pages === null ? null : pages / 2n;
  }
}
