import { MemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type { InterruptGate } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** The vectors hook checks look at: the CPU exceptions (0-19) and the legacy system call gate int 0x80. */
export const CHECKED_VECTORS: readonly number[] = [...Array.from({ length: 20 }, (_, i) => i), 0x80];
const VECTORS = 256;

/** The gate descriptor type by kernel version: gate_struct (4.15+), gate_struct64 before, idt_desc on the oldest. */
function gateType(kernel: LinuxKernel): string {
  const type = ['gate_struct', 'gate_struct64', 'idt_desc'].find((t) => kernel.hasStruct(t));
  if (!type) throw new MemscopeError('SYMBOLS_INVALID', 'the kernel types lack the interrupt gate (gate_struct)', kernel.tableName);
  return type;
}

/**
 * The handlers of idt_table's gates at `vectors`, each as offset_high:offset_middle:offset_low; an empty (all-zero)
 * gate is left out.
 */
export async function* interruptGates(kernel: LinuxKernel, warn: Warn, vectors: readonly number[] = CHECKED_VECTORS): AsyncGenerator<InterruptGate> {
  const type = gateType(kernel);
  const size = kernel.layout.size(type);
  const table = kernel.symbolAddress('idt_table');
  const bytes = await kernel.vm.read(table, VECTORS * size);
  if (!bytes) {
    warn({ code: 'UNREADABLE', message: 'the interrupt descriptor table (idt_table) is not readable', address: hex(table) });
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const field = (vector: number, name: string, width: 2 | 4): bigint => {
    if (!kernel.layout.has(type, name)) return 0n;
    const at = vector * size + kernel.layout.offset(type, name);
    return BigInt(width === 2 ? view.getUint16(at, true) : view.getUint32(at, true));
  };
  for (const vector of vectors) {
    if (bytes.subarray(vector * size, (vector + 1) * size).every((b) => b === 0)) continue;
    const address = (field(vector, 'offset_high', 4) << 32n) | (field(vector, 'offset_middle', 2) << 16n) | field(vector, 'offset_low', 2);
    yield { index: vector, address };
  }
}
