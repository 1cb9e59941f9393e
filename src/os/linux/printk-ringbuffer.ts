import { hex } from '../../io/hex.ts';
import type { KernelLogRecord } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';

/** kernel/printk/printk_ringbuffer.h desc states (top two bits of state_var). */
const DESC_COMMITTED = 1;
const DESC_FINALIZED = 2;
const MAX_COUNT_BITS = 24;
const MAX_SIZE_BITS = 30;
const utf8 = new TextDecoder('utf-8');

/**
 * Records of the lockless printk ring buffer (5.10+; `prb` → struct printk_ringbuffer) from the oldest
 * (tail) to the newest (head) descriptor; only committed and finalized ones, with their text from the data ring.
 */
export async function* readPrintkRingbuffer(kernel: LinuxKernel, warn: Warn): AsyncGenerator<KernelLogRecord> {
  const rbAddress = await kernel.readPointer(kernel.symbolAddress('prb'));
  const rb = rbAddress && (await kernel.readStruct('printk_ringbuffer', rbAddress));
  if (!rb)
    return warn({
      code: 'UNREADABLE',
      message: 'the kernel log ring buffer (prb) is not readable',
      address: hex(rbAddress || kernel.symbolAddress('prb')),
    });
  const address = hex(rb.address);
  const countBits = rb.u32('desc_ring.count_bits');
  const sizeBits = rb.u32('text_data_ring.size_bits');
  if (countBits > MAX_COUNT_BITS || sizeBits > MAX_SIZE_BITS) {
    return warn({
      code: 'SMEAR',
      message: `the kernel log ring buffer has implausible sizes (2^${countBits} records, 2^${sizeBits} bytes)`,
      address,
    });
  }
  const count = 1 << countBits;
  const l = kernel.layout;
  const descSize = l.size('prb_desc');
  const infoSize = l.size('printk_info');
  const dataSize = 2 ** sizeBits;
  const [descs, infos, data] = await Promise.all([
    kernel.vm.read(rb.u64('desc_ring.descs'), count * descSize),
    kernel.vm.read(rb.u64('desc_ring.infos'), count * infoSize),
    kernel.vm.read(rb.u64('text_data_ring.data'), dataSize),
  ]);
  if (!descs || !infos || !data)
    return warn({ code: 'UNREADABLE', message: 'the kernel log ring buffer is not entirely in the captured memory', address });
  const descView = new DataView(descs.buffer, descs.byteOffset, descs.byteLength);
  const stateAt = l.offset('prb_desc', 'state_var');
  const beginAt = l.offset('prb_desc', 'text_blk_lpos.begin');
  const nextAt = l.offset('prb_desc', 'text_blk_lpos.next');
  const idMask = (1n << 62n) - 1n;
  const head = rb.u64('desc_ring.head_id.counter') & idMask;
  let id = rb.u64('desc_ring.tail_id.counter') & idMask;
  for (let n = 0; n <= count; n++) {
    const index = Number(id & BigInt(count - 1));
    const stateVar = descView.getBigUint64(index * descSize + stateAt, true);
    const state = Number(stateVar >> 62n);
    if ((state === DESC_COMMITTED || state === DESC_FINALIZED) && (stateVar & idMask) === id) {
      const info = new StructView(l, 'printk_info', infos.subarray(index * infoSize, (index + 1) * infoSize), 0n);
      const begin = Number(descView.getBigUint64(index * descSize + beginAt, true) % BigInt(dataSize));
      const next = Number(descView.getBigUint64(index * descSize + nextAt, true) % BigInt(dataSize));
      yield record(info, data, begin, next);
    }
    if (id === head) return;
    id = (id + 1n) & idMask;
  }
  warn({ code: 'SMEAR', message: 'the kernel log ring buffer does not reach its head descriptor: records may be missing', address });
}

function record(info: StructView, data: Uint8Array, begin: number, next: number): KernelLogRecord {
  // Data-less records have begin == next. A block that wraps is stored whole at the start of the data ring;
  // each block starts with its 8-byte id.
  const length = begin === next ? 0 : info.u16('text_len');
  const start = (begin < next || next === 0 ? begin : 0) + 8;
  const text = utf8.decode(data.subarray(start, Math.min(start + length, data.length)));
  return {
    sequence: info.u64('seq'),
    timestampNs: info.u64('ts_nsec'),
    facility: info.u8('facility'),
    level: info.int('level'),
    caller: printkCaller(info),
    text,
    dictionary: [],
  };
}

/** A record's caller_id (CONFIG_PRINTK_CALLER) as printk prints it: CPU(n) or Task(pid); null where there is none. */
export function printkCaller(record: StructView): string | null {
  if (!record.has('caller_id')) return null;
  const id = record.u32('caller_id');
  return `${id & 0x80000000 ? 'CPU' : 'Task'}(${id & 0x7fffffff})`;
}
