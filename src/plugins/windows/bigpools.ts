import type { PluginContext, PluginDefinition, StructReader, WindowsKernelContext } from '../api.ts';

const TRACKER = '_POOL_TRACKER_BIG_PAGES';
/** A freed allocation keeps its entry with bit 0 of Va set. */
const FREE_BIT = 1n;
/** Real tables hold up to a few million entries; a larger size is taken as corrupt and read this far (LIMIT). */
const MAX_ENTRIES = 1 << 24;
const PAGE = 0x1000;

export const bigpools: PluginDefinition = {
  name: 'windows.bigpools',
  description:
    "List big page pools: nt!PoolBigPageTable's allocations, whose pool tag is held nowhere else (no pool header precedes them). " +
    'Tracker layouts without PoolType (later Windows 11 builds) show N/A there.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Allocation', type: 'hex', address: 'kernel' },
    { name: 'Tag', type: 'str' },
    { name: 'PoolType', type: 'str' },
    { name: 'NumberOfBytes', type: 'hex' },
    { name: 'Status', type: 'str' },
  ],
  options: [
    { name: 'tags', type: 'str', description: 'Comma separated list of pool tags to filter pools returned' },
    { name: 'show-free', type: 'bool', default: false, description: 'Show freed regions (otherwise only show allocations in use)' },
  ],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const wanted = tagFilter(ctx);
    const showFree = ctx.options['show-free'] === true;
    for await (const entry of trackerEntries(ctx, kernel)) {
      const va = entry.u64('Va');
      const key = entry.u32('Key');
      if (key === 0) continue;
      const free = (va & FREE_BIT) === FREE_BIT;
      const tag = renderTag(key);
      if ((free && !showFree) || !wanted(tag)) continue;
      yield {
        depth: 0,
        values: [va, tag, poolType(kernel, entry), entry.has('NumberOfBytes') ? entry.u64('NumberOfBytes') : null, free ? 'Free' : 'Allocated'],
      };
    }
  },
};

/** The --tags filter (comma separated, compared with the rendered tag as Volatility does); everything when unset. */
function tagFilter(ctx: PluginContext): (tag: string) => boolean {
  const option = ctx.options['tags'] as string | undefined;
  if (option === undefined) return () => true;
  const tags = new Set(option.split(','));
  return (tag) => tags.has(tag);
}

/**
 * The table's non-empty entries in order. The table lies in non-paged pool, so the first page the image does not
 * hold ends it (one warning). A size that is not a power of two (the kernel hashes into the table with size - 1)
 * or beyond MAX_ENTRIES is taken as corrupt: entries are then read up to that first missing page, at most MAX_ENTRIES.
 */
async function* trackerEntries(ctx: PluginContext, kernel: WindowsKernelContext): AsyncGenerator<StructReader> {
  const table = await kernel.readPointer(kernel.symbolAddress('PoolBigPageTable'));
  const declared = await kernel.vm.readU32(kernel.symbolAddress('PoolBigPageTableSize'));
  if (table === null || declared === null) {
    ctx.warn({ code: 'UNREADABLE', message: 'PoolBigPageTable or PoolBigPageTableSize is not in the image: no big page pools listed' });
    return;
  }
  const count = Math.min(declared, MAX_ENTRIES);
  if (declared > MAX_ENTRIES || (declared & (declared - 1)) !== 0) {
    ctx.warn({
      code: 'LIMIT',
      message: `PoolBigPageTableSize ${declared} is implausible (not a power of two, or above ${MAX_ENTRIES}): entries read up to the first page not in the image, at most ${count}`,
    });
  }
  const size = kernel.structSize(TRACKER);
  const keyAt = kernel.fieldOffset(TRACKER, 'Key');
  for (let first = 0; first < count;) {
    ctx.signal?.throwIfAborted();
    ctx.progress(first, count, 'reading PoolBigPageTable');
    const at = table + BigInt(first * size);
    const span = Math.min(PAGE - Number(at % BigInt(PAGE)), (count - first) * size);
    const bytes = await kernel.vm.read(at, span);
    if (bytes === null) {
      ctx.warn({ code: 'UNREADABLE', message: `PoolBigPageTable entries ${first} to ${count - 1} are not in the image (from 0x${at.toString(16)})` });
      return;
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Entries may straddle pages: whole entries starting in this span, read as structures where the key is set.
    const last = Math.min(count, first + Math.ceil(span / size));
    for (let i = first; i < last; i++) {
      const offset = (i - first) * size;
      const key = offset + keyAt + 4 <= span ? dv.getUint32(offset + keyAt, true) : 1;
      if (key === 0) continue;
      const entry = await kernel.readStruct(TRACKER, table + BigInt(i * size));
      if (entry) yield entry;
    }
    first = last;
  }
}

/** Volatility's get_key: the tag's bytes as characters, those outside 33..126 left out. */
function renderTag(key: number): string {
  let tag = '';
  for (let i = 0; i < 4; i++) {
    const c = (key >>> (8 * i)) & 0xff;
    if (c > 32 && c < 127) tag += String.fromCharCode(c);
  }
  return tag;
}

/** The _POOL_TYPE constant's name; null where the tracker has no PoolType (Windows 11 after 22000). */
function poolType(kernel: WindowsKernelContext, entry: StructReader): string | null {
  if (!entry.has('PoolType')) return null;
  const value = entry.int('PoolType');
  return kernel.enumName('_POOL_TYPE', value) ?? `Unknown choice ${value}`;
}
