import { hex } from '../../io/hex.ts';
import type { KernelLogRecord } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { StructView } from '../struct-view.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { printkCaller } from './printk-ringbuffer.ts';

/** The most of log_buf read (the kernel allows 2^31 bytes, LOG_BUF_LEN_MAX; real ones are a few MiB at most). */
const MAX_LOG_BUF = 1 << 30;
const utf8 = new TextDecoder('utf-8');

/** The globals of kernel/printk/printk.c (3.11–5.9) that say where the records are. */
interface LogBufState {
  readonly address: bigint;
  readonly length: number;
  readonly firstIdx: number;
  readonly nextIdx: number;
  readonly firstSeq: bigint;
  readonly nextSeq: bigint;
}

/**
 * Records of the kernel log before 5.10, oldest first: `log_buf` (log_buf_len bytes) holds struct printk_log records,
 * each its header, text_len bytes of text, dict_len bytes of dictionary ("KEY=value" entries separated by NULs) and
 * padding, `len` bytes in all. The oldest is at log_first_idx; they run to log_next_idx, wrapping to the start of the
 * buffer once, where a header with len 0 says so (when log_first_idx < log_next_idx they do not wrap).
 * log_next_seq − log_first_seq records lie between. A malformed record ends the walk with a warning.
 */
export async function* readPrintkLogBuf(kernel: LinuxKernel, warn: Warn): AsyncGenerator<KernelLogRecord> {
  const state = await readState(kernel);
  if (!state)
    return warn({
      code: 'UNREADABLE',
      message: 'the kernel log indexes (log_buf and its bounds) are not readable',
      address: hex(kernel.symbolAddress('log_buf')),
    });
  const headerSize = kernel.layout.size('printk_log');
  const { address, length, firstIdx, nextIdx, firstSeq, nextSeq } = state;
  if (length > MAX_LOG_BUF || firstIdx + headerSize > length || nextIdx + headerSize > length || nextSeq < firstSeq) {
    return warn({
      code: 'SMEAR',
      message: `the kernel log buffer has implausible bounds (${length} bytes, records from index ${firstIdx} to ${nextIdx}, sequence ${firstSeq} to ${nextSeq})`,
      address: hex(address),
    });
  }
  if (firstSeq === nextSeq) return;
  const buffer = await kernel.vm.read(address, length);
  if (!buffer)
    return warn({
      code: 'UNREADABLE',
      message: `the kernel log buffer (${length} bytes) is not entirely in the captured memory`,
      address: hex(address),
    });

  const total = nextSeq - firstSeq;
  // With log_first_idx >= log_next_idx the records run to a header of len 0, then from the start to log_next_idx.
  let wrapPending = firstIdx >= nextIdx;
  let end = wrapPending ? length : nextIdx;
  let idx = firstIdx;
  let count = 0n;
  const stop = (why: string) =>
    warn({ code: 'SMEAR', message: `kernel log record ${count + 1n} of ${total} ${why}: walk stopped`, address: hex(address + BigInt(idx)) });
  // Each record moves idx forward by at least a header, within [idx, end), and the walk goes back to the start
  // once: it ends within 2 × log_buf_len / header size records whatever the buffer holds.
  while (wrapPending || idx !== nextIdx) {
    if (idx + headerSize > end) return stop('runs past its part of the buffer');
    const header = new StructView(kernel.layout, 'printk_log', buffer.subarray(idx, idx + headerSize), address + BigInt(idx));
    const len = header.u16('len');
    if (len === 0 && wrapPending) {
      [idx, end, wrapPending] = [0, nextIdx, false];
      continue;
    }
    const textLen = header.u16('text_len');
    const dictLen = header.u16('dict_len');
    if (idx + len > end) return stop(`is ${len} bytes: it runs past its part of the buffer`);
    if (len < headerSize + textLen + dictLen)
      return stop(`is ${len} bytes, too few for its header, ${textLen} bytes of text and ${dictLen} of dictionary`);
    const text = idx + headerSize;
    yield {
      sequence: firstSeq + count,
      timestampNs: header.u64('ts_nsec'),
      facility: header.int('facility'),
      level: header.int('level'),
      caller: printkCaller(header),
      text: utf8.decode(buffer.subarray(text, text + textLen)),
      dictionary: dictLen === 0 ? [] : utf8.decode(buffer.subarray(text + textLen, text + textLen + dictLen)).split('\0'),
    };
    idx += len;
    count++;
  }
  if (count !== total)
    warn({ code: 'SMEAR', message: `the kernel log buffer holds ${count} records where its sequence numbers say ${total}`, address: hex(address) });
}

async function readState(kernel: LinuxKernel): Promise<LogBufState | null> {
  const vm = kernel.vm;
  const at = (name: string) => kernel.symbolAddress(name);
  const [address, length, firstIdx, nextIdx, firstSeq, nextSeq] = await Promise.all([
    kernel.readPointer(at('log_buf')),
    vm.readU32(at('log_buf_len')),
    vm.readU32(at('log_first_idx')),
    vm.readU32(at('log_next_idx')),
    vm.readU64(at('log_first_seq')),
    vm.readU64(at('log_next_seq')),
  ]);
  if (address === null || length === null || firstIdx === null || nextIdx === null || firstSeq === null || nextSeq === null) return null;
  return { address, length, firstIdx, nextIdx, firstSeq, nextSeq };
}
