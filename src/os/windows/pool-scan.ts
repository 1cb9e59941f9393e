import type { ScanService } from '../../engine/scan-service.ts';
import { ReverseMap } from '../../layers/reverse-map.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { StructView } from '../struct-view.ts';
import { decodeTypeIndex } from './object-header.ts';
import { objectHeaderCandidates, optionalHeaderSizes } from './pool-object.ts';
import { MAX_PASS_HITS, POOL_TAG_OFFSET, poolTagSpec, sharedTagHits } from './pool-tag-index.ts';
import type { WindowsKernel } from './windows-kernel.ts';

const POOL_HEADER_SIZE = 16;
const KERNEL_HALF = 0xffff800000000000n;
const TOP = 0xffffffffffffffffn;
const MAX_HITS = 1_000_000;

export interface ScanProgress {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

/** Which executive objects a pool scan looks for. */
export interface PoolObjectKind {
  /** The pool tags of its allocations (with and without the protected bit). */
  readonly tags: readonly Uint8Array[];
  /** The body's structure ('_EPROCESS'). */
  readonly struct: string;
  /** For the progress text: "process", "thread". */
  readonly what: string;
  /** The object type's index in ObTypeIndexTable, to check each _OBJECT_HEADER's TypeIndex against; null: unchecked. */
  typeIndex(kernel: WindowsKernel): Promise<number | null>;
}

/** An object body carved out of a pool allocation found in physical memory. */
export interface CarvedObject {
  /** The body, read through the kernel's mapping when there is one. */
  readonly view: StructView;
  /** Kernel virtual address of the body; null when the kernel does not map its page. */
  readonly offset: bigint | null;
  readonly physical: number;
}

/** A pool allocation whose tag a scan found. */
export interface PoolBlock {
  /** Physical address of its _POOL_HEADER. */
  readonly physical: number;
  /** Kernel virtual address of its _POOL_HEADER; null when the kernel does not map the page. */
  readonly virtual: bigint | null;
  /** Which of the scanned tags it carries (an index into them). */
  readonly tag: number;
}

/**
 * Pool-tag scan of physical memory: every 16-byte-aligned pool header carrying one of `tags`, yielded as the scan
 * goes, in physical order, with the kernel's own virtual address for it where the kernel maps the page. `what`
 * names the allocations in the progress text ("process", "network endpoint"). The caller checks and carves.
 */
export async function* scanPoolBlocks(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  tags: readonly Uint8Array[],
  what: string,
  control: ScanProgress = {},
): AsyncGenerator<PoolBlock> {
  control.onProgress?.(0, 1, 'mapping kernel address space');
  const reverse = await kernelReverseMap(kernel, control.signal);
  const onProgress = (done: number, total: number) => control.onProgress?.(done, total, `scanning physical memory for ${what} pool tags`);
  const shared = sharedTagHits(kernel, scanner, tags, {
    signal: control.signal,
    onProgress: (done, total) => control.onProgress?.(done, total, 'scanning physical memory for every pool scan’s tags, once per image'),
  });
  const spec = poolTagSpec(tags);
  const hits = shared?.hits ?? scanner.scan(kernel.phys, spec, { signal: control.signal, onProgress });
  let examined = 0;
  for await (const hit of hits) {
    if (examined === MAX_HITS) {
      warn({ code: 'LIMIT', message: `more than ${MAX_HITS} pool tag hits; only the first ${MAX_HITS} were examined` });
      return;
    }
    examined++;
    control.signal?.throwIfAborted();
    const physical = hit.address - POOL_TAG_OFFSET;
    yield { physical, virtual: reverse.lookup(physical), tag: hit.pattern };
  }
  if (shared?.truncated()) {
    warn({ code: 'LIMIT', message: `more than ${MAX_PASS_HITS} pool tag hits in all; memory after the last one kept was not examined` });
  }
}

const reverseMaps = new WeakMap<WindowsKernel, Promise<ReverseMap>>();

/** Physical → kernel virtual addresses, built once per kernel and shared by its runs (so no run's cancel stops it). */
async function kernelReverseMap(kernel: WindowsKernel, signal: AbortSignal | undefined): Promise<ReverseMap> {
  let map = reverseMaps.get(kernel);
  if (!map) {
    map = selfMapRanges(kernel).then((exclude) => ReverseMap.build(kernel.vm, KERNEL_HALF, TOP, exclude));
    reverseMaps.set(kernel, map);
    map.catch(() => reverseMaps.delete(kernel));
  }
  const built = await map;
  signal?.throwIfAborted();
  return built;
}

/** `length` bytes from a block's pool header on, through the kernel's mapping when there is one (unmapped pages read as zeros). */
export async function readPoolBlock(kernel: WindowsKernel, block: PoolBlock, length: number): Promise<Uint8Array> {
  return block.virtual !== null ? kernel.vm.readPadded(block.virtual, length) : kernel.phys.read(block.physical, length);
}

/**
 * Pool-tag scan of physical memory for one kind of executive object: each hit is carved (pool header → optional
 * headers → object header → body) and its TypeIndex checked; each body once. Offsets come from the kernel's own
 * mapping of the page. Objects are yielded as the scan goes, in physical order. The caller validates the body.
 */
export async function* scanPoolObjects(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  kind: PoolObjectKind,
  control: ScanProgress = {},
): AsyncGenerator<CarvedObject> {
  const carver = new PoolObjectCarver(kernel, kind);
  const seen = new Set<number>();
  for await (const block of scanPoolBlocks(kernel, scanner, warn, kind.tags, kind.what, control)) {
    const o = await carver.carve(block);
    if (o && !seen.has(o.physical)) {
      seen.add(o.physical);
      yield o;
    }
  }
}

/** The virtual ranges of the paging self-map (PML4 entries that point at the PML4 itself). */
async function selfMapRanges(kernel: WindowsKernel): Promise<[bigint, bigint][]> {
  const pml4 = await kernel.phys.read(kernel.discovery.dtb, 0x1000);
  const dv = new DataView(pml4.buffer, pml4.byteOffset, pml4.byteLength);
  const out: [bigint, bigint][] = [];
  for (let i = 256; i < 512; i++) {
    const e = dv.getBigUint64(i * 8, true);
    if (e & 1n && (e & 0x000ffffffffff000n) === BigInt(kernel.discovery.dtb)) {
      const start = 0xffff000000000000n | (BigInt(i) << 39n);
      out.push([start, start + (1n << 39n)]);
    }
  }
  return out;
}

class PoolObjectCarver {
  private readonly sizes: number[];
  private readonly bodyOffset: number;
  private readonly bodySize: number;
  private typeIndex: Promise<number | null> | undefined;

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly kind: PoolObjectKind,
  ) {
    this.sizes = optionalHeaderSizes(kernel.layout);
    this.bodyOffset = kernel.layout.offset('_OBJECT_HEADER', 'Body');
    this.bodySize = kernel.layout.size(kind.struct);
  }

  async carve(block: PoolBlock): Promise<CarvedObject | null> {
    const { layout } = this.kernel;
    const { physical: poolPhys, virtual: poolVirt } = block;
    const span = POOL_HEADER_SIZE + this.sizes.reduce((a, b) => a + b, 0) + this.bodyOffset + this.bodySize;
    const bytes = await readPoolBlock(this.kernel, block, span);
    const pool = new StructView(layout, '_POOL_HEADER', bytes, BigInt(poolPhys));
    if (pool.int('BlockSize') * 16 < POOL_HEADER_SIZE + this.bodyOffset + this.bodySize) return null;
    // Zeroed bytes can read as a header too (a NAME_INFO whose Directory is NULL, a header's unset fields seen 16
    // bytes on), and their TypeIndex can decode to the kind's by chance: of the positions whose type is the kind's,
    // the first holding a reference (PointerCount above 0, as a live object does); else the first.
    const checked = poolVirt !== null && (await (this.typeIndex ??= this.kind.typeIndex(this.kernel))) !== null;
    const pointerCountAt = layout.offset('_OBJECT_HEADER', 'PointerCount');
    let found: CarvedObject | null = null;
    for (const headerAt of objectHeaderCandidates(layout, this.sizes, bytes.subarray(POOL_HEADER_SIZE))) {
      const headerOffset = POOL_HEADER_SIZE + headerAt;
      const bodyStart = headerOffset + this.bodyOffset;
      const body = bytes.subarray(bodyStart, bodyStart + this.bodySize);
      const offset = poolVirt !== null ? poolVirt + BigInt(bodyStart) : null;
      if (offset !== null && !(await this.typeIndexMatches(bytes.subarray(headerOffset), offset - BigInt(this.bodyOffset)))) continue;
      const carved = {
        view: new StructView(layout, this.kind.struct, body, offset ?? BigInt(poolPhys + bodyStart)),
        offset,
        physical: poolPhys + bodyStart,
      };
      if (!checked || new DataView(bytes.buffer, bytes.byteOffset + headerOffset + pointerCountAt, 8).getBigInt64(0, true) > 0n) return carved;
      found ??= carved;
    }
    return found;
  }

  /** Windows 10 encodes _OBJECT_HEADER.TypeIndex with ObHeaderCookie and the header address. */
  private async typeIndexMatches(header: Uint8Array, headerAddress: bigint): Promise<boolean> {
    const wanted = await (this.typeIndex ??= this.kind.typeIndex(this.kernel));
    if (wanted === null) return true;
    const stored = header[this.kernel.layout.offset('_OBJECT_HEADER', 'TypeIndex')]!;
    return (await decodeTypeIndex(this.kernel, stored, headerAddress)) === wanted;
  }
}
