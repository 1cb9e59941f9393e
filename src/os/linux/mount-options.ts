import { hex } from '../../io/hex.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** include/linux/mount.h */
export const MNT_READONLY = 0x40;
export const MNT_SHARED = 0x1000;
export const MNT_UNBINDABLE = 0x2000;
/** mnt_flags as show_mnt_opts (fs/proc_namespace.c) prints them, in its order. */
const MNT_OPTIONS: readonly [number, string][] = [
  [0x01, 'nosuid'],
  [0x02, 'nodev'],
  [0x04, 'noexec'],
  [0x08, 'noatime'],
  [0x10, 'nodiratime'],
  [0x20, 'relatime'],
  [0x80, 'nosymfollow'],
];
/** include/linux/fs.h */
export const SB_RDONLY = 0x1;
/** s_flags as show_sb_opts prints them, in its order. */
const SB_OPTIONS: readonly [number, string][] = [
  [0x10, 'sync'],
  [0x80, 'dirsync'],
  [0x40, 'mand'],
  [1 << 25, 'lazytime'],
];
/** include/linux/shmem_fs.h SHMEM_HUGE_* as shmem_format_huge names them. */
const SHMEM_HUGE: readonly string[] = ['', 'always', 'within_size', 'advise'];
/** proc_hidepid constants as hidepid2str (fs/proc/root.c) names them. */
const HIDEPID: Readonly<Record<string, string>> = {
  HIDEPID_OFF: 'off',
  HIDEPID_NO_ACCESS: 'noaccess',
  HIDEPID_INVISIBLE: 'invisible',
  HIDEPID_NOT_PTRACEABLE: 'ptraceable',
};
/** NR_UNIX98_PTY_MAX: devpts shows max= only below it. */
const PTY_MAX = 1 << 20;

export const accessOption = (readOnly: boolean): string => (readOnly ? 'ro' : 'rw');

/** The per-mount options after ro/rw; `idmapped` when the mount maps ids (5.12+). */
export function mountFlagOptions(mntFlags: number, idmapped: boolean): string[] {
  const names = MNT_OPTIONS.filter(([bit]) => mntFlags & bit).map(([, name]) => name);
  return idmapped ? [...names, 'idmapped'] : names;
}

/** The superblock flags after ro/rw. */
export function superBlockFlagOptions(sbFlags: number): string[] {
  return SB_OPTIONS.filter(([bit]) => sbFlags & bit).map(([, name]) => name);
}

const octal = (mode: number): string => mode.toString(8).padStart(3, '0');

/**
 * What a filesystem's own show_options adds, for the filesystems decoded here (tmpfs/devtmpfs/shmem rootfs,
 * proc 5.8+, devpts), recognised by their super_operations. Others add nothing (their options are not decoded).
 */
export class FilesystemOptions {
  private halfOfRam: Promise<bigint | null> | undefined;

  constructor(private readonly kernel: LinuxKernel) {}

  async of(sb: StructView, warn: Warn): Promise<string[]> {
    const ops = sb.u64('s_op');
    const info = sb.u64('s_fs_info');
    if (this.is(ops, 'shmem_ops', 'shmem_sb_info')) return this.shmem(info, warn);
    if (this.is(ops, 'proc_sops', 'proc_fs_info')) return this.proc(info);
    if (this.is(ops, 'devpts_sops', 'pts_fs_info')) return this.devpts(info);
    return [];
  }

  private is(ops: bigint, opsSymbol: string, infoStruct: string): boolean {
    const k = this.kernel;
    return ops !== 0n && k.hasSymbol(opsSymbol) && k.hasStruct(infoStruct) && ops === k.symbolAddress(opsSymbol);
  }

  /** shmem_show_options (mm/shmem.c). */
  private async shmem(address: bigint, warn: Warn): Promise<string[]> {
    const info = await this.kernel.readStruct('shmem_sb_info', address);
    if (!info) return [];
    const half = await (this.halfOfRam ??= this.readHalfOfRam());
    const out: string[] = [];
    // Both defaults are totalram_pages() / 2 on 64-bit (no highmem).
    if (half !== null && info.u64('max_blocks') !== half) out.push(`size=${info.u64('max_blocks') * 4n}k`);
    if (half !== null && info.u64('max_inodes') !== half) out.push(`nr_inodes=${info.u64('max_inodes')}`);
    const mode = info.u16('mode');
    if (mode !== 0o1777) out.push(`mode=${octal(mode)}`);
    if (info.has('uid.val') && info.u32('uid.val') !== 0) out.push(`uid=${info.u32('uid.val')}`);
    if (info.has('gid.val') && info.u32('gid.val') !== 0) out.push(`gid=${info.u32('gid.val')}`);
    // inode32 is shown too on CONFIG_TMPFS_INODE64=y kernels, which the image does not tell.
    if (info.has('full_inums') && info.u8('full_inums')) out.push('inode64');
    const huge = info.has('huge') ? info.u8('huge') : 0;
    if (huge) out.push(`huge=${SHMEM_HUGE[huge] ?? 'unknown'}`);
    if (info.has('mpol') && info.u64('mpol') !== 0n) {
      warn({ code: 'UNSUPPORTED', message: 'tmpfs has a NUMA policy (mpol=) that is not decoded', address: hex(address) });
    }
    return out;
  }

  /** proc_show_options (fs/proc/root.c, 5.8+). */
  private async proc(address: bigint): Promise<string[]> {
    const info = await this.kernel.readStruct('proc_fs_info', address);
    if (!info) return [];
    const out: string[] = [];
    if (info.u32('pid_gid.val') !== 0) out.push(`gid=${info.u32('pid_gid.val')}`);
    const hide = info.u32('hide_pid');
    if (hide !== 0) {
      const name = [...(this.kernel.symbols.enumeration('proc_hidepid')?.constants ?? [])].find(([, v]) => v === hide)?.[0];
      out.push(`hidepid=${(name && HIDEPID[name]) ?? 'unknown'}`);
    }
    if (info.has('pidonly') && info.u32('pidonly') !== 0) out.push('subset=pid');
    return out;
  }

  /** devpts_show_options (fs/devpts/inode.c). */
  private async devpts(address: bigint): Promise<string[]> {
    const info = await this.kernel.readStruct('pts_fs_info', address);
    if (!info) return [];
    const out: string[] = [];
    if (info.u32('mount_opts.setuid')) out.push(`uid=${info.u32('mount_opts.uid.val')}`);
    if (info.u32('mount_opts.setgid')) out.push(`gid=${info.u32('mount_opts.gid.val')}`);
    out.push(`mode=${octal(info.u16('mount_opts.mode'))}`, `ptmxmode=${octal(info.u16('mount_opts.ptmxmode'))}`);
    const max = info.int('mount_opts.max') | 0;
    if (max < PTY_MAX) out.push(`max=${max}`);
    return out;
  }

  /** totalram_pages() / 2 (_totalram_pages since 5.0, totalram_pages before). */
  private async readHalfOfRam(): Promise<bigint | null> {
    const symbol = ['_totalram_pages', 'totalram_pages'].find((s) => this.kernel.hasSymbol(s));
    const pages = symbol ? await this.kernel.vm.readU64(this.kernel.symbolAddress(symbol)) : null;
    return pages === null ? null : pages / 2n;
  }
}
