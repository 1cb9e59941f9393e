import type { FileInfo } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { dentryNameAt, mountOfVfsmount, pathInMount } from './vfs-path.ts';

const FILE_TYPES: Readonly<Record<number, string>> = {
  0o140000: 'SOCK',
  0o120000: 'LNK',
  0o100000: 'REG',
  0o060000: 'BLK',
  0o040000: 'DIR',
  0o020000: 'CHR',
  0o010000: 'FIFO',
};
const TYPE_LETTERS: Readonly<Record<string, string>> = { SOCK: 's', LNK: 'l', REG: '-', BLK: 'b', DIR: 'd', CHR: 'c', FIFO: 'p' };
/** Pseudo filesystems whose files /proc names "<prefix>:[inode]" (d_dname) rather than by path. */
const PSEUDO_FS: Readonly<Record<string, string>> = { sockfs: 'socket', pipefs: 'pipe' };

/** What an open struct file refers to; null when the file object is not readable. */
export async function describeFile(kernel: LinuxKernel, file: bigint, warn: Warn): Promise<FileInfo | null> {
  const f = await kernel.readStruct('file', file);
  if (!f) return null;
  const inode = await kernel.readStruct('inode', f.u64('f_inode'));
  const sb = inode && (await kernel.readStruct('super_block', inode.u64('i_sb')));
  const typePointer = sb ? await kernel.readPointer(sb.u64('s_type') + BigInt(kernel.layout.offset('file_system_type', 'name'))) : null;
  const fsType = typePointer ? await kernel.readCString(typePointer, 64) : null;
  const ino = inode ? Number(inode.u64('i_ino')) : null;
  const mode = inode ? inode.u16('i_mode') : 0;
  const type = fileType(mode);
  const dentry = f.u64('f_path.dentry');
  let path: string;
  if (fsType && PSEUDO_FS[fsType]) path = `${PSEUDO_FS[fsType]}:[${ino}]`;
  else if (fsType === 'anon_inodefs') path = `anon_inode:${await dentryNameAt(kernel, dentry)}`;
  else path = await pathInMount(kernel, await mountOfVfsmount(kernel, f.u64('f_path.mnt')), dentry, warn);
  const dev = sb ? sb.u32('s_dev') : 0;
  return {
    path,
    device: `${dev >>> 20}:${dev & 0xfffff}`,
    inode: ino,
    type,
    mode: modeString(type, mode),
    size: inode ? BigInt.asIntN(64, inode.u64('i_size')) : null,
  };
}

/** The file type of an i_mode (DIR, REG, LNK, FIFO, SOCK, CHR, BLK), '?' for none of them. */
export function fileType(mode: number): string {
  return FILE_TYPES[mode & 0o170000] ?? '?';
}

/** ls -l's mode text (Python's stat.filemode), from the type fileType names and the i_mode. */
export function modeString(type: string, mode: number): string {
  const bits = 'rwxrwxrwx'.split('').map((ch, i) => (mode & (0o400 >> i) ? ch : '-'));
  if (mode & 0o4000) bits[2] = bits[2] === 'x' ? 's' : 'S';
  if (mode & 0o2000) bits[5] = bits[5] === 'x' ? 's' : 'S';
  if (mode & 0o1000) bits[8] = bits[8] === 'x' ? 't' : 'T';
  return (TYPE_LETTERS[type] ?? '?') + bits.join('');
}
