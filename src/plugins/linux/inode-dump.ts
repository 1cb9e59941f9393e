import type { CachedPage, InodeInfo, OutputFile, PluginContext } from '../api.ts';
import { PAGE_SIZE } from './pagecache-options.ts';

/** Largest file size written (1 TiB): an i_size beyond it is a smeared or hostile inode, not a file in a memory image. */
const MAX_FILE_SIZE = 1n << 40n;

/** Volatility 3 names a dumped inode by its address as it prints it: masked to the 48 bits the page tables translate. */
export function inodeDumpName(inode: InodeInfo): string {
  return `inode_0x${(inode.address & ((1n << 48n) - 1n)).toString(16)}.dmp`;
}

/**
 * A regular file's cached pages written to `file` as Volatility 3's InodePages --dump writes them: each page at its
 * file offset (index × 4 KiB), the last one cut at i_size, and the file ended at i_size, so pages not cached are holes
 * of zeros (sparse where the host allows). Pages past i_size or of another address_space are left out with a warning.
 * One page in memory at a time: call `page` for each page as linux.inodePages yields it, then `close`.
 */
export class InodeDump {
  private readonly size: bigint;
  private outside = 0;
  private foreign = 0;

  constructor(
    private readonly ctx: Pick<PluginContext, 'physical' | 'warn'>,
    private readonly inode: InodeInfo,
    private readonly file: OutputFile,
  ) {
    this.size = inode.size < 0n ? 0n : inode.size;
    if (this.size > MAX_FILE_SIZE) {
      ctx.warn({ code: 'LIMIT', message: `${this.about}: i_size ${inode.size} is past 1 TiB; the dump ends at 1 TiB` });
      this.size = MAX_FILE_SIZE;
    }
  }

  async page(page: CachedPage): Promise<void> {
    if (page.physical === null) return;
    if (page.mapping !== this.inode.mapping) {
      this.foreign++;
      return;
    }
    const offset = page.index * PAGE_SIZE;
    if (offset >= this.size) {
      this.outside++;
      return;
    }
    const length = Number(this.size - offset < PAGE_SIZE ? this.size - offset : PAGE_SIZE);
    await this.file.write(await this.ctx.physical.read(Number(page.physical), length), Number(offset));
  }

  /** Ends the file at i_size and says what was left out. */
  async close(): Promise<void> {
    await this.file.close(Number(this.size));
    if (this.foreign > 0) {
      this.ctx.warn({
        code: 'SMEAR',
        message: `${this.about}: ${this.foreign} cached page(s) belong to another address_space; left out of the dump`,
      });
    }
    if (this.outside > 0) {
      this.ctx.warn({
        code: 'SMEAR',
        message: `${this.about}: ${this.outside} cached page(s) lie past i_size ${this.inode.size}; left out of the dump`,
      });
    }
  }

  private get about(): string {
    return `${this.file.name} (inode 0x${this.inode.address.toString(16)})`;
  }
}
