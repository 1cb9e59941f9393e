import type { InodeInfo, LinuxKernelContext, PluginContext, PluginDefinition } from '../api.ts';
import { outputFile } from '../common/file-output.ts';
import { PluginRequestError } from '../common/request-error.ts';
import { InodeDump, inodeDumpName } from './inode-dump.ts';
import { FIND_OPTION, PAGE_SIZE } from './pagecache-options.ts';

/** Kernel addresses are canonical: an address Volatility printed masked to 48 bits is sign-extended back. */
const ADDRESS_BITS = 48n;

/** The inode --inode or --find names; null (with a warning saying why) when the image has none; BAD_REQUEST without one named. */
async function chosenInode(ctx: PluginContext, linux: LinuxKernelContext): Promise<InodeInfo | null> {
  const text = ctx.options['inode'] as string | undefined;
  const find = ctx.options['find'] as string | undefined;
  if ((text === undefined) === (find === undefined)) throw new PluginRequestError('give either --inode ADDRESS or --find PATH');
  if (find !== undefined) {
    for await (const c of linux.cachedInodes()) if (c.path === find) return c.inode;
    ctx.warn({ code: 'NOT_FOUND', message: `no cached inode has the path ${find}` });
    return null;
  }
  const address = parseAddress(text!);
  if (address === null) throw new PluginRequestError(`--inode needs an address (hex, as linux.pagecache.Files shows it), got ${text}`);
  const inode = await linux.inode(address);
  if (!inode) ctx.warn({ code: 'NOT_FOUND', message: `--inode ${text}: no valid inode there` });
  return inode;
}

function parseAddress(text: string): bigint | null {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text.trim())) return null;
  const value = BigInt(text.trim());
  return value >> (ADDRESS_BITS - 1n) === 1n ? BigInt.asUintN(64, value - (1n << ADDRESS_BITS)) : value;
}

export const pagecacheInodePages: PluginDefinition = {
  name: 'linux.pagecache.InodePages',
  description:
    'Lists the cached pages of one regular file (--inode ADDRESS from linux.pagecache.Files, or --find PATH): each ' +
    'struct page, its physical address, file page index, whether it lies within the file size, and its flags; --dump ' +
    'writes the file as cached (pages not cached as zeros) to inode_0x<address>.dmp.',
  version: '2.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'PageVAddr', type: 'hex', address: 'kernel' },
    { name: 'PagePAddr', type: 'hex', address: 'physical' },
    { name: 'MappingAddr', type: 'hex', address: 'kernel' },
    { name: 'Index', type: 'int' },
    { name: 'DumpSafe', type: 'bool' },
    { name: 'Flags', type: 'str' },
    { name: 'Output File', type: 'str' },
  ],
  options: [
    FIND_OPTION,
    { name: 'inode', type: 'str', description: 'Inode address (hex, as linux.pagecache.Files shows it)' },
    { name: 'dump', type: 'bool', description: "Extract the inode's cached content to a file" },
  ],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const inode = await chosenInode(ctx, linux);
    if (!inode) return;
    if (inode.type !== 'REG') {
      ctx.warn({ code: 'UNSUPPORTED', message: `inode 0x${inode.address.toString(16)} is not a regular file (${inode.type ?? 'unknown type'})` });
      return;
    }
    // As Volatility 3: without --dump the column is N/A; with it, every row names the file (or why there is none).
    const file = ctx.options['dump'] === true ? await outputFile(ctx, inodeDumpName(inode)) : null;
    const dump = typeof file === 'object' && file !== null ? new InodeDump(ctx, inode, file) : null;
    const output = typeof file === 'object' && file !== null ? file.name : file;
    for await (const p of linux.inodePages(inode)) {
      ctx.signal?.throwIfAborted();
      await dump?.page(p);
      yield { depth: 0, values: [p.address, p.physical, p.mapping, p.index, p.index * PAGE_SIZE < inode.size, p.flags.join(','), output] };
    }
    await dump?.close();
  },
};
