import type { VirtualLayer } from './virtual-layer.ts';

/** Physical → virtual lookup over the mapped runs of an address space (first mapping wins). */
export class ReverseMap {
  private constructor(
    private readonly pstart: Float64Array,
    private readonly length: Float64Array,
    private readonly vstart: BigUint64Array,
    /** maxEnd[i]: the highest physical end among runs 0..i, so a lookup knows when to stop walking back. */
    private readonly maxEnd: Float64Array,
  ) {}

  /** Enumerates [start, end) of `layer`, skipping virtual ranges in `exclude` (e.g. the paging self-map). */
  static async build(
    layer: VirtualLayer,
    start: bigint,
    end: bigint,
    exclude: readonly (readonly [bigint, bigint])[] = [],
    signal?: AbortSignal,
  ): Promise<ReverseMap> {
    const runs: { p: number; v: bigint; n: number }[] = [];
    for await (const r of layer.mappedRuns(start, end, { signal })) {
      if (exclude.some(([a, b]) => r.vaddr >= a && r.vaddr < b)) continue;
      runs.push({ p: r.paddr, v: r.vaddr, n: r.length });
    }
    runs.sort((a, b) => a.p - b.p || (a.v < b.v ? -1 : 1));
    const maxEnd = new Float64Array(runs.length);
    runs.forEach((r, i) => (maxEnd[i] = Math.max(i > 0 ? maxEnd[i - 1]! : 0, r.p + r.n)));
    return new ReverseMap(
      Float64Array.from(runs, (r) => r.p),
      Float64Array.from(runs, (r) => r.n),
      BigUint64Array.from(runs, (r) => r.v),
      maxEnd,
    );
  }

  get size(): number {
    return this.pstart.length;
  }

  lookup(paddr: number): bigint | null {
    let lo = 0;
    let hi = this.pstart.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.pstart[mid]! <= paddr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Runs may overlap in physical space; walk back while an earlier run can still cover paddr.
    for (let i = found; i >= 0 && this.maxEnd[i]! > paddr; i--) {
      if (paddr < this.pstart[i]! + this.length[i]!) return this.vstart[i]! + BigInt(paddr - this.pstart[i]!);
    }
    return null;
  }
}
