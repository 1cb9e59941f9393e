import { hex } from '../../io/hex.ts';
import type { CachedPage, InodeInfo } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { unixSecondsToIso } from '../unix-time.ts';
import { fileType, modeString } from './file-info.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { xarrayEntries } from './xarray.ts';

const PAGE_SIZE = 4096n;
/** VMEMMAP_START of 4-level paging without CONFIG_DYNAMIC_MEMORY_LAYOUT (arch/x86/include/asm/pgtable_64_types.h). */
const VMEMMAP_BASE_L4 = 0xffffea0000000000n;

/**
 * An inode's facts (Volatility 3's inode extension); null when the inode is not wholly readable or not valid:
 * i_ino 0 or a negative i_count (smear or not an inode).
 */
export async function readInode(kernel: LinuxKernel, address: bigint, warn: Warn): Promise<InodeInfo | null> {
  const inode = await kernel.readStruct('inode', address);
  if (!inode || inode.u64('i_ino') === 0n || (inode.u32('i_count.counter') | 0) < 0) return null;
  const mode = inode.u16('i_mode');
  const type = fileType(mode);
  const mapping = inode.u64('i_mapping');
  const nrpages = mapping === 0n ? null : await kernel.vm.readU64(mapping + BigInt(kernel.layout.offset('address_space', 'nrpages')));
  if (nrpages === null)
    warn({ code: 'UNREADABLE', message: `inode ${hex(address)}: its address_space (i_mapping) is not readable`, address: hex(mapping) });
  return {
    address,
    number: inode.u64('i_ino'),
    type: type === '?' ? null : type,
    mode: modeString(type, mode),
    size: BigInt.asIntN(64, inode.u64('i_size')),
    mapping,
    cachedPages: nrpages,
    accessTime: inodeTime(inode, 'i_atime'),
    modificationTime: inodeTime(inode, 'i_mtime'),
    changeTime: inodeTime(inode, 'i_ctime'),
  };
}

/** One of the inode times: i_Xtime_sec/_nsec (6.11+), __i_Xtime (6.6-6.10) or i_Xtime (older), as a timespec64. */
function inodeTime(inode: StructView, member: string): string | null {
  if (inode.has(`${member}_sec`)) return isoTime(BigInt.asIntN(64, inode.u64(`${member}_sec`)), inode.u32(`${member}_nsec`));
  const field = inode.has(`__${member}`) ? `__${member}` : member;
  return isoTime(BigInt.asIntN(64, inode.u64(`${field}.tv_sec`)), Number(inode.u64(`${field}.tv_nsec`)));
}

/**
 * A time as Volatility 3 prints it: datetime.fromtimestamp(sec + nsec / 1e9, utc).isoformat(), microseconds rounded
 * half to even from the double sum and shown only when not zero; null (Volatility's UnparsableValue) at or before 1970
 * and beyond what a datetime holds.
 */
function isoTime(sec: bigint, nsec: number): string | null {
  const t = Number(sec) + nsec / 1e9;
  if (!(t > 0)) return null;
  const micros = roundHalfEven((t - Math.trunc(t)) * 1e6);
  // Rounding may carry into the next second.
  const whole = Math.trunc(t) + Math.floor(micros / 1e6);
  const iso = unixSecondsToIso(BigInt(whole));
  if (iso === null || micros % 1e6 === 0) return iso;
  return iso.replace('+00:00', `.${String(micros % 1e6).padStart(6, '0')}+00:00`);
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  return rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
}

/**
 * The pages of an inode's page cache (i_mapping->i_pages) in index order, as Volatility 3's InodePages: none when the
 * size or the cached page count is 0; value entries (shadows of evicted pages) skipped.
 */
export async function* inodePages(kernel: LinuxKernel, inode: InodeInfo, warn: Warn): AsyncGenerator<CachedPage> {
  if (inode.size === 0n || !inode.cachedPages) return;
  const pages = new PageReader(kernel, warn);
  const tree = inode.mapping + BigInt(kernel.layout.offset('address_space', 'i_pages'));
  for await (const { entry } of xarrayEntries(kernel, tree, `page cache of inode ${hex(inode.address)}`, warn)) {
    if ((entry & 3n) !== 0n) continue;
    const page = await pages.read(entry);
    if (page) yield page;
  }
}

class PageReader {
  private readonly flagNames: readonly [string, number][];
  private readonly pageSize: bigint;
  private vmemmap: Promise<bigint | null> | undefined;

  constructor(
    private readonly kernel: LinuxKernel,
    private readonly warn: Warn,
  ) {
    this.flagNames = [...(kernel.symbols.enumeration('pageflags')?.constants ?? [])];
    this.pageSize = BigInt(kernel.layout.size('page'));
  }

  async read(address: bigint): Promise<CachedPage | null> {
    const page = await this.kernel.readStruct('page', address);
    if (!page) {
      this.warn({ code: 'UNREADABLE', message: 'a struct page in the page cache is not readable; skipped', address: hex(address) });
      return null;
    }
    const flags = page.u64('flags');
    const vmemmap = await (this.vmemmap ??= this.vmemmapStart());
    return {
      address,
      physical: vmemmap === null ? null : ((address - vmemmap) / this.pageSize) * PAGE_SIZE,
      mapping: page.u64('mapping'),
      index: page.u64('index'),
      flags: this.flagNames.filter(([, bit]) => (flags >> BigInt(bit)) & 1n).map(([name]) => name.replaceAll('PG_', '')),
    };
  }

  /** Where the struct page array starts (SPARSEMEM_VMEMMAP): vmemmap_base under KASLR, else the fixed 4-level base. */
  private async vmemmapStart(): Promise<bigint | null> {
    const k = this.kernel;
    const base = k.lacksSymbol('vmemmap_base') ? VMEMMAP_BASE_L4 : await k.vm.readU64(k.symbolAddress('vmemmap_base'));
    if (!k.hasSymbol('mem_section') || !base) {
      const message = `${k.hasSymbol('mem_section') ? 'vmemmap_base is not readable' : 'not a SPARSEMEM_VMEMMAP kernel (no mem_section)'}: pages have no physical address`;
      this.warn({ code: 'UNSUPPORTED', message });
      return null;
    }
    return base;
  }
}
