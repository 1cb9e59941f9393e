import type { ScanHit, ScanService } from '../../engine/scan-service.ts';
import { ReverseMap } from '../../layers/reverse-map.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { StructView } from '../struct-view.ts';
import { decodeTypeIndex } from './object-header.ts';
import { locateObjectHeader, optionalHeaderSizes } from './pool-object.ts';
import { looksLikeProcess, processFromView, type WindowsProcess } from './process.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** 'Proc' with and without the protected bit Windows sets on process allocations. */
const PROCESS_TAGS = [new Uint8Array([0x50, 0x72, 0x6f, 0xe3]), new Uint8Array([0x50, 0x72, 0x6f, 0x63])];
const POOL_TAG_ALIGNMENT = 16;
const POOL_TAG_OFFSET = 4;
const POOL_HEADER_SIZE = 16;
const PROCESS_OBJECT = 3;
const KERNEL_HALF = 0xffff800000000000n;
const TOP = 0xffffffffffffffffn;
const MAX_HITS = 1_000_000;

export interface ScanProgress {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
}

/**
 * Pool-tag scan of physical memory for _EPROCESS allocations: finds processes unlinked from the active
 * list and ones that have exited but whose memory is not yet reused. Each hit is carved (pool header →
 * object header → body) and validated; Offset(V) comes from the kernel's own mapping of the page.
 */
export async function* scanProcesses(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<WindowsProcess> {
  const spec = { kind: 'tags', tags: PROCESS_TAGS, alignment: POOL_TAG_ALIGNMENT, offset: POOL_TAG_OFFSET } as const;
  const hits = await scanner.scan(kernel.phys, spec, {
    signal: control.signal,
    onProgress: (done, total) => control.onProgress?.(done, total, 'scanning physical memory for process pool tags'),
  });
  if (hits.length >= MAX_HITS) warn({ code: 'LIMIT', message: `more than ${MAX_HITS} pool tag hits; only the first ${MAX_HITS} were examined` });
  control.onProgress?.(0, 1, 'mapping kernel address space');
  const reverse = await ReverseMap.build(kernel.vm, KERNEL_HALF, TOP, await selfMapRanges(kernel), control.signal);
  const carver = new ProcessCarver(kernel, reverse);
  const seen = new Set<number>();
  for (const hit of hits.slice(0, MAX_HITS)) {
    control.signal?.throwIfAborted();
    const p = await carver.carve(hit);
    if (p && !seen.has(p.physical!)) {
      seen.add(p.physical!);
      yield p;
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

class ProcessCarver {
  private readonly sizes: number[];
  private readonly bodyOffset: number;
  private readonly eprocessSize: number;
  private processTypeIndex: Promise<number | null> | undefined;

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly reverse: ReverseMap,
  ) {
    this.sizes = optionalHeaderSizes(kernel.layout);
    this.bodyOffset = kernel.layout.offset('_OBJECT_HEADER', 'Body');
    this.eprocessSize = kernel.layout.size('_EPROCESS');
  }

  async carve(hit: ScanHit): Promise<WindowsProcess | null> {
    const { layout, vm, phys } = this.kernel;
    const poolPhys = hit.address - POOL_TAG_OFFSET;
    const poolVirt = this.reverse.lookup(poolPhys);
    const span = POOL_HEADER_SIZE + this.sizes.reduce((a, b) => a + b, 0) + this.bodyOffset + this.eprocessSize;
    const bytes = poolVirt !== null ? await vm.readPadded(poolVirt, span) : await phys.read(poolPhys, span);
    const pool = new StructView(layout, '_POOL_HEADER', bytes, BigInt(poolPhys));
    if (pool.int('BlockSize') * 16 < POOL_HEADER_SIZE + this.bodyOffset + this.eprocessSize) return null;
    const headerAt = locateObjectHeader(layout, this.sizes, bytes.subarray(POOL_HEADER_SIZE));
    if (headerAt === null) return null;
    const headerOffset = POOL_HEADER_SIZE + headerAt;
    const bodyStart = headerOffset + this.bodyOffset;
    const body = bytes.subarray(bodyStart, bodyStart + this.eprocessSize);
    const offset = poolVirt !== null ? poolVirt + BigInt(bodyStart) : null;
    const view = new StructView(layout, '_EPROCESS', body, offset ?? BigInt(poolPhys + bodyStart));
    if (view.int('Pcb.Header.Type') !== PROCESS_OBJECT) return null;
    if (offset !== null && !(await this.typeIndexIsProcess(bytes.subarray(headerOffset), offset - BigInt(this.bodyOffset)))) return null;
    const p = processFromView(view, offset, poolPhys + bodyStart);
    return looksLikeProcess(p) ? p : null;
  }

  /** Windows 10 encodes _OBJECT_HEADER.TypeIndex with ObHeaderCookie and the header address. */
  private async typeIndexIsProcess(header: Uint8Array, headerAddress: bigint): Promise<boolean> {
    const wanted = await (this.processTypeIndex ??= this.systemProcessTypeIndex());
    if (wanted === null) return true;
    return (await this.decodeTypeIndex(header, headerAddress)) === wanted;
  }

  private decodeTypeIndex(header: Uint8Array, headerAddress: bigint): Promise<number | null> {
    return decodeTypeIndex(this.kernel, header[this.kernel.layout.offset('_OBJECT_HEADER', 'TypeIndex')]!, headerAddress);
  }

  /** The Process type's index, learned from the System process's own object header. */
  private async systemProcessTypeIndex(): Promise<number | null> {
    if (!this.kernel.hasSymbol('PsInitialSystemProcess')) return null;
    const system = await this.kernel.vm.readU64(this.kernel.symbolAddress('PsInitialSystemProcess'));
    if (!system) return null;
    const headerAddress = system - BigInt(this.bodyOffset);
    const header = await this.kernel.vm.read(headerAddress, this.bodyOffset);
    return header && this.decodeTypeIndex(header, headerAddress);
  }
}
