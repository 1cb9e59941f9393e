import { hex } from '../../io/hex.ts';
import type { MountInfo, MountNamespace } from '../../plugins/api/linux.ts';
import type { StructReader } from '../../plugins/api/memory.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';
import {
  accessOption,
  FilesystemOptions,
  MNT_READONLY,
  MNT_SHARED,
  MNT_UNBINDABLE,
  mountFlagOptions,
  SB_RDONLY,
  superBlockFlagOptions,
} from './mount-options.ts';
import { listTasks } from './task.ts';
import { dentryPath, mountPointPath } from './vfs-path.ts';

/** No namespace holds more mounts (the default sysctl fs.mount-max is 100000); a longer walk is smear. */
const MAX_MOUNTS = 1 << 17;
/** Bounds for the propagation walks (master chains, peer rings, mounts and dentries up to the root). */
const MAX_PROPAGATION_STEPS = 1024;
const MAX_DENTRY_DEPTH = 256;
const MAX_NAME = 256;

/** The mount namespace a task is in (task->nsproxy->mnt_ns); null for exited tasks or unreadable structures. */
export async function taskMountNamespace(kernel: LinuxKernel, task: StructReader): Promise<MountNamespace | null> {
  const nsproxy = task.u64('nsproxy');
  const view = nsproxy === 0n ? null : await kernel.readStruct('nsproxy', nsproxy);
  const ns = view ? view.u64('mnt_ns') : 0n;
  return ns === 0n ? null : readNamespace(kernel, ns);
}

async function readNamespace(kernel: LinuxKernel, address: bigint): Promise<MountNamespace | null> {
  const ns = await kernel.readStruct('mnt_namespace', address);
  if (!ns) return null;
  const id = ns.has('ns.inum') ? ns.u32('ns.inum') : ns.has('proc_inum') ? ns.u32('proc_inum') : null;
  return { address, id, root: ns.u64('root') };
}

/** init_task's mount namespace, then every other namespace a process is in, each once. */
export async function* mountNamespaces(kernel: LinuxKernel, warn: Warn): AsyncGenerator<MountNamespace> {
  const seen = new Set<bigint>();
  const init = await kernel.readStruct('task_struct', kernel.symbolAddress('init_task'));
  const first = init && (await taskMountNamespace(kernel, init));
  if (first) {
    seen.add(first.address);
    yield first;
  } else warn({ code: 'UNREADABLE', message: 'the initial mount namespace (init_task.nsproxy->mnt_ns) is not readable' });
  for await (const task of listTasks(kernel, warn)) {
    const ns = await taskMountNamespace(kernel, task.view);
    if (!ns || seen.has(ns.address)) continue;
    seen.add(ns.address);
    yield ns;
  }
}

/** The mounts of a namespace in its own order (mount order), as its /proc/<pid>/mountinfo lists them. */
export async function* listMounts(kernel: LinuxKernel, ns: MountNamespace, warn: Warn): AsyncGenerator<MountInfo> {
  const reader = new MountReader(kernel, ns, warn);
  for await (const mount of namespaceMounts(kernel, ns, warn)) {
    const info = await reader.read(mount);
    if (info) yield info;
  }
}

/** struct mount addresses of a namespace: its `list` (before 6.8) or, in order, its rbtree `mounts`. */
export async function* namespaceMounts(kernel: LinuxKernel, ns: MountNamespace, warn: Warn): AsyncGenerator<bigint> {
  const layout = kernel.layout;
  const what = `mount list of namespace ${ns.id ?? hex(ns.address)}`;
  if (layout.has('mnt_namespace', 'list')) {
    const member = BigInt(layout.offset('mount', 'mnt_list'));
    const head = ns.address + BigInt(layout.offset('mnt_namespace', 'list'));
    for await (const link of listEntries(kernel, head, what, warn, MAX_MOUNTS)) yield link - member;
    return;
  }
  const member = BigInt(layout.offset('mount', 'mnt_node'));
  const root = await kernel.vm.readU64(ns.address + BigInt(layout.offset('mnt_namespace', 'mounts.rb_node')));
  if (root === null) return warn({ code: 'UNREADABLE', message: `${what}: tree root unreadable`, address: hex(ns.address) });
  for await (const node of rbInOrder(kernel, root, what, warn)) yield node - member;
}

/**
 * In-order walk of an rbtree (rb_first/rb_next order): each rb_node's address. Guarded against loops and smear; a
 * warning's address is the node whose link ended the walk.
 */
export async function* rbInOrder(kernel: LinuxKernel, root: bigint, what: string, warn: Warn): AsyncGenerator<bigint> {
  const left = BigInt(kernel.layout.offset('rb_node', 'rb_left'));
  const right = BigInt(kernel.layout.offset('rb_node', 'rb_right'));
  const seen = new Set<bigint>();
  const stack: bigint[] = [];
  let node: bigint | null = root;
  let from = root;
  while (node !== 0n || stack.length) {
    while (node !== 0n) {
      const address = hex(from);
      if (node === null) return warn({ code: 'UNREADABLE', message: `${what}: link unreadable after ${seen.size} entries: walk stopped`, address });
      if (seen.has(node)) return warn({ code: 'SMEAR', message: `${what} loops back to ${hex(node)}: walk stopped`, address });
      if (seen.size >= MAX_MOUNTS) return warn({ code: 'LIMIT', message: `${what} larger than ${MAX_MOUNTS} entries: walk stopped`, address });
      seen.add(node);
      stack.push(node);
      from = node;
      node = await kernel.vm.readU64(node + left);
    }
    from = stack.pop()!;
    yield from;
    node = await kernel.vm.readU64(from + right);
  }
}

/** A NUL-terminated string that may end just before an unmapped page; null when its start is unmapped. */
async function readString(kernel: LinuxKernel, address: bigint, max = MAX_NAME): Promise<string | null> {
  if (address === 0n || !(await kernel.vm.read(address, 1))) return null;
  return cString(await kernel.vm.readPadded(address, max));
}

interface PathRoot {
  readonly mount: bigint;
  readonly dentry: bigint;
}

/** Decodes the mounts of one namespace (show_mountinfo and show_vfsmnt of fs/proc_namespace.c). */
class MountReader {
  private readonly fsOptions: FilesystemOptions;
  private root: Promise<PathRoot | null> | undefined;

  constructor(
    private readonly kernel: LinuxKernel,
    private readonly ns: MountNamespace,
    private readonly warn: Warn,
  ) {
    this.fsOptions = new FilesystemOptions(kernel);
  }

  async read(address: bigint): Promise<MountInfo | null> {
    const k = this.kernel;
    const mount = await k.readStruct('mount', address);
    const sb = mount && (await k.readStruct('super_block', mount.u64('mnt.mnt_sb')));
    if (!mount || !sb) {
      this.warn({ code: 'UNREADABLE', message: 'mount or its superblock not readable; skipped', address: hex(address) });
      return null;
    }
    const parent = mount.u64('mnt_parent');
    const parentId = parent === address ? mount.u32('mnt_id') : await k.vm.readU32(parent + BigInt(k.layout.offset('mount', 'mnt_id')));
    const mntFlags = mount.u32('mnt.mnt_flags');
    const sbFlags = Number(sb.u64('s_flags') & 0xffffffffn);
    const mntNames = mountFlagOptions(mntFlags, await this.idmapped(mount));
    const sbNames = superBlockFlagOptions(sbFlags);
    const fsNames = await this.fsOptions.of(sb, this.warn);
    const dev = sb.u32('s_dev');
    const source = await readString(k, mount.u64('mnt_devname'));
    return {
      address,
      id: mount.u32('mnt_id'),
      parentId,
      device: `${dev >>> 20}:${dev & 0xfffff}`,
      root: await dentryPath(k, mount.u64('mnt.mnt_root')),
      mountPoint: await mountPointPath(k, mount, this.warn),
      mountOptions: [accessOption((mntFlags & MNT_READONLY) !== 0), ...mntNames],
      fields: await this.fields(mount, mntFlags),
      fsType: await this.fsType(sb),
      source: source || 'none',
      superOptions: [accessOption((sbFlags & SB_RDONLY) !== 0), ...sbNames, ...fsNames],
      procMountsOptions: [accessOption((mntFlags & MNT_READONLY) !== 0 || (sbFlags & SB_RDONLY) !== 0), ...sbNames, ...mntNames, ...fsNames],
    };
  }

  /** show_type: the type name, ".subtype" for FUSE-style subtypes. */
  private async fsType(sb: StructView): Promise<string> {
    const type = sb.u64('s_type');
    const namePointer = type === 0n ? null : await this.kernel.vm.readU64(type + BigInt(this.kernel.layout.offset('file_system_type', 'name')));
    const name = namePointer ? await readString(this.kernel, namePointer) : null;
    const subtype = sb.has('s_subtype') ? await readString(this.kernel, sb.u64('s_subtype')) : null;
    return `${name ?? '?'}${subtype ? `.${subtype}` : ''}`;
  }

  /** is_idmapped_mnt: a user namespace other than init's (5.12-6.2) or an idmap other than the no-op one (6.3+). */
  private async idmapped(mount: StructView): Promise<boolean> {
    const k = this.kernel;
    if (mount.has('mnt.mnt_idmap') && k.hasSymbol('nop_mnt_idmap')) return mount.u64('mnt.mnt_idmap') !== k.symbolAddress('nop_mnt_idmap');
    if (mount.has('mnt.mnt_userns') && k.hasSymbol('init_user_ns')) return mount.u64('mnt.mnt_userns') !== k.symbolAddress('init_user_ns');
    return false;
  }

  /** The tagged fields of show_mountinfo. */
  private async fields(mount: StructView, mntFlags: number): Promise<string[]> {
    const out: string[] = [];
    if (mntFlags & MNT_SHARED) out.push(`shared:${mount.u32('mnt_group_id')}`);
    const master = mount.u64('mnt_master');
    if (master !== 0n) {
      const group = await this.kernel.vm.readU32(master + BigInt(this.kernel.layout.offset('mount', 'mnt_group_id')));
      if (group === null) this.warn({ code: 'UNREADABLE', message: `master of mount ${mount.u32('mnt_id')} is not readable`, address: hex(master) });
      else {
        out.push(`master:${group}`);
        const dominating = await this.dominatingGroup(mount);
        if (dominating && dominating !== group) out.push(`propagate_from:${dominating}`);
      }
    }
    if (mntFlags & MNT_UNBINDABLE) out.push('unbindable');
    return out;
  }

  /** get_dominating_id (fs/pnode.c): the closest master's peer group with a member visible from the namespace root. */
  private async dominatingGroup(mount: StructView): Promise<number> {
    const root = await (this.root ??= this.readRoot());
    if (!root) return 0;
    const seen = new Set<bigint>();
    for (let master = mount.u64('mnt_master'); master !== 0n && !seen.has(master) && seen.size < MAX_PROPAGATION_STEPS;) {
      seen.add(master);
      const m = await this.kernel.readStruct('mount', master);
      if (!m) return 0;
      const peer = await this.peerUnderRoot(m, root);
      if (peer) return peer.u32('mnt_group_id');
      master = m.u64('mnt_master');
    }
    return 0;
  }

  /** get_peer_under_root: a peer of `mount` (mnt_share ring) in this namespace and reachable from `root`. */
  private async peerUnderRoot(mount: StructView, root: PathRoot): Promise<StructView | null> {
    const share = BigInt(this.kernel.layout.offset('mount', 'mnt_share'));
    const seen = new Set<bigint>();
    let m: StructView | null = mount;
    while (m && !seen.has(m.address) && seen.size < MAX_PROPAGATION_STEPS) {
      if (m.u64('mnt_ns') === this.ns.address && (await this.reachable(m, root))) return m;
      seen.add(m.address);
      const next: bigint = m.u64('mnt_share.next') - share;
      m = next === mount.address ? null : await this.kernel.readStruct('mount', next);
    }
    return null;
  }

  /** is_path_reachable(mnt, mnt->mnt_root, root): up the mounts to root's, then the dentries to root's. */
  private async reachable(mount: StructView, root: PathRoot): Promise<boolean> {
    let dentry = mount.u64('mnt.mnt_root');
    let m: StructView | null = mount;
    for (let steps = 0; m && m.address !== root.mount; steps++) {
      const parent = m.u64('mnt_parent');
      if (parent === m.address || steps >= MAX_PROPAGATION_STEPS) return false;
      dentry = m.u64('mnt_mountpoint');
      m = await this.kernel.readStruct('mount', parent);
    }
    return m !== null && (await this.isSubdir(dentry, root.dentry));
  }

  private async isSubdir(dentry: bigint, ancestor: bigint): Promise<boolean> {
    const parentAt = BigInt(this.kernel.layout.offset('dentry', 'd_parent'));
    for (let depth = 0; depth < MAX_DENTRY_DEPTH; depth++) {
      if (dentry === ancestor) return true;
      const up = await this.kernel.vm.readU64(dentry + parentAt);
      if (up === null || up === dentry) return false;
      dentry = up;
    }
    return false;
  }

  private async readRoot(): Promise<PathRoot | null> {
    const dentry = await this.kernel.vm.readU64(this.ns.root + BigInt(this.kernel.layout.offset('mount', 'mnt.mnt_root')));
    return dentry === null ? null : { mount: this.ns.root, dentry };
  }
}
