import type { CachedInode, Cell, PluginDefinition } from '../api.ts';
import { FIND_OPTION, PAGE_SIZE } from './pagecache-options.ts';

const FILE_TYPES = ['DIR', 'REG', 'LNK', 'FIFO', 'SOCK', 'CHR', 'BLK'];

/** Pages of `size` bytes, rounded up (Volatility's math.ceil(i_size / PAGE_SIZE): toward zero for a negative size). */
function pagesOf(size: bigint): bigint {
  return size > 0n ? (size + PAGE_SIZE - 1n) / PAGE_SIZE : size / PAGE_SIZE;
}

function fileRow(c: CachedInode): Cell[] {
  const i = c.inode;
  return [
    c.superblock,
    c.mountPoint,
    c.device,
    i.number,
    i.address,
    i.type,
    pagesOf(i.size),
    i.cachedPages,
    i.mode,
    i.accessTime,
    i.modificationTime,
    i.changeTime,
    c.path,
  ];
}

export const pagecacheFiles: PluginDefinition = {
  name: 'linux.pagecache.Files',
  description:
    'Lists the files in memory: every inode in the dentry cache of each mounted filesystem, with its path, times, ' +
    'size in pages and how many of its pages are cached.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'SuperblockAddr', type: 'hex', address: 'kernel' },
    { name: 'MountPoint', type: 'str' },
    { name: 'Device', type: 'str' },
    { name: 'InodeNum', type: 'int' },
    { name: 'InodeAddr', type: 'hex', address: 'kernel' },
    { name: 'FileType', type: 'str' },
    { name: 'InodePages', type: 'int' },
    { name: 'CachedPages', type: 'int' },
    { name: 'FileMode', type: 'str' },
    { name: 'AccessTime', type: 'datetime' },
    { name: 'ModificationTime', type: 'datetime' },
    { name: 'ChangeTime', type: 'datetime' },
    { name: 'FilePath', type: 'str' },
  ],
  options: [{ name: 'type', type: 'str', multiple: true, choices: FILE_TYPES, description: 'Only files of these types (REG DIR ...)' }, FIND_OPTION],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const types = ctx.options['type'] as readonly string[] | undefined;
    const find = ctx.options['find'] as string | undefined;
    for await (const c of linux.cachedInodes()) {
      ctx.signal?.throwIfAborted();
      if (types && !types.includes(c.inode.type ?? '')) continue;
      if (find !== undefined && c.path !== find) continue;
      yield { depth: 0, values: fileRow(c) };
      // As Volatility: only the first match.
      if (find !== undefined) return;
    }
  },
};
