import type { PhysicalLayer } from '../../layers/physical-layer.ts';

/** KUSER_SHARED_DATA: mapped at this address in every Windows x64 address space. */
export const KUSER_SHARED_DATA = 0xfffff78000000000n;

export interface LowStubHit {
  readonly dtb: number;
  /** Kernel entry point recorded in the stub (inside ntoskrnl). */
  readonly lmTarget: bigint;
  readonly stubAddress: number;
}

const PAGE = 0x1000;
const LOW_STUB_LIMIT = 0x100000;

/**
 * The PROCESSOR_START_BLOCK ("low stub") that Windows x64 keeps below 1 MiB records the boot CR3 and the
 * kernel entry point; finding it costs one 1 MiB read (the method MemProcFS uses).
 */
export async function findLowStub(phys: PhysicalLayer): Promise<LowStubHit | null> {
  const limit = Math.min(LOW_STUB_LIMIT, phys.size);
  const low = await phys.read(0, limit);
  const dv = new DataView(low.buffer, low.byteOffset, low.byteLength);
  for (let o = PAGE; o + PAGE <= limit; o += PAGE) {
    const head = dv.getBigUint64(o, true);
    if ((head & 0xffffffffffff00ffn) !== 0x00000001000600e9n) continue;
    const lmTarget = dv.getBigUint64(o + 0x70, true);
    const cr3 = dv.getBigUint64(o + 0xa0, true);
    if ((lmTarget & 0xfffff80000000003n) !== 0xfffff80000000000n) continue;
    // CR3 may lie beyond the end of a truncated capture: the caller's page walks decide what is usable.
    if ((cr3 & 0xffffff0000000fffn) !== 0n || cr3 === 0n) continue;
    return { dtb: Number(cr3), lmTarget, stubAddress: o };
  }
  return null;
}

/**
 * Windows places the System DTB in low physical memory; the fallback scan looks no further, which keeps
 * opening any image (and deciding it is not Windows) fast whatever its size.
 */
export const SELF_REF_SCAN_LIMIT = 64 * 1024 * 1024;

/**
 * Candidate PML4 pages: a kernel-half entry (index 0x100..0x1ff) that maps the page itself, present and
 * writable — Windows' self-referencing entry (NX set; its index is randomised since Windows 10 1607).
 * Scans upward in chunks; the caller validates candidates and stops at the first good one.
 */
export async function* selfReferencingPml4Candidates(
  phys: PhysicalLayer,
  opts: { limit?: number; chunk?: number; signal?: AbortSignal } = {},
): AsyncGenerator<{ dtb: number; selfRefIndex: number }> {
  const limit = Math.min(opts.limit ?? SELF_REF_SCAN_LIMIT, phys.size);
  const chunk = opts.chunk ?? 4 * 1024 * 1024;
  for (const run of phys.runs) {
    for (let base = run.start; base < Math.min(run.start + run.length, limit); base += chunk) {
      opts.signal?.throwIfAborted();
      const len = Math.min(chunk, run.start + run.length - base, limit - base);
      const bytes = await phys.read(base, len);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let o = 0; o + PAGE <= len; o += PAGE) {
        const page = base + o;
        // Compare the entry's frame (bits 12..51) with the page address as two 32-bit halves.
        const pageLow = page % 0x100000000;
        const pageHigh = Math.floor(page / 0x100000000);
        for (let i = 0x100; i < 0x200; i++) {
          const lo = dv.getUint32(o + i * 8, true);
          if ((lo & 0x3) !== 0x3 || (lo & 0xfffff000) >>> 0 !== pageLow) continue;
          if ((dv.getUint32(o + i * 8 + 4, true) & 0xfffff) === pageHigh) yield { dtb: page, selfRefIndex: i };
        }
      }
    }
  }
}
