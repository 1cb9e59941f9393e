import { MemscopeError } from '../../errors.ts';
import type { KernelLogRecord } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { readPrintkLogBuf } from './printk-logbuf.ts';
import { readPrintkRingbuffer } from './printk-ringbuffer.ts';

/**
 * The kernel log, oldest record first, from the buffer this kernel keeps: told apart by the types the kernel was built
 * with — struct printk_ringbuffer (the lockless ring buffer, 5.10+) or struct printk_log (log_buf's records, 3.11–5.9).
 */
export async function* readKernelLog(kernel: LinuxKernel, warn: Warn): AsyncGenerator<KernelLogRecord> {
  if (kernel.hasStruct('printk_ringbuffer')) yield* readPrintkRingbuffer(kernel, warn);
  else if (kernel.hasStruct('printk_log')) yield* readPrintkLogBuf(kernel, warn);
  else
    throw new MemscopeError('UNSUPPORTED', 'the kernel log is not readable: this kernel has neither struct printk_ringbuffer (5.10+) nor printk_log');
}
