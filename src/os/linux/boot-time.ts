import type { LinuxKernel } from './linux-kernel.ts';

/**
 * When the machine booted, in nanoseconds since 1970: -(wall_to_monotonic + offs_boot) of the timekeeper in
 * tk_core (3.17+), as Volatility computes it. tk_core is an anonymous struct { seqcount_raw_spinlock_t seq;
 * struct timekeeper timekeeper; }, so the timekeeper follows the sequence count at 8-byte alignment.
 * Null when the kernel or its types do not allow it.
 */
export async function bootTimeNs(kernel: LinuxKernel): Promise<bigint | null> {
  const seq = kernel.symbols.struct('seqcount_raw_spinlock') ?? kernel.symbols.struct('seqcount');
  if (!kernel.hasSymbol('tk_core') || !seq || !kernel.hasStruct('timekeeper')) return null;
  const at = kernel.symbolAddress('tk_core') + BigInt((seq.size + 7) & ~7);
  const tk = await kernel.readStruct('timekeeper', at);
  if (!tk || !tk.has('wall_to_monotonic') || !tk.has('offs_boot')) return null;
  const seconds = BigInt.asIntN(64, tk.u64('wall_to_monotonic.tv_sec'));
  const nanos = BigInt.asIntN(64, tk.u64('wall_to_monotonic.tv_nsec'));
  return -(seconds * 1_000_000_000n + nanos + BigInt.asIntN(64, tk.u64('offs_boot')));
}
