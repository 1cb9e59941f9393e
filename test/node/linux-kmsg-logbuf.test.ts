import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMemscopeError } from '../../src/errors.ts';
import { hex } from '../../src/io/hex.ts';
import { LinuxRunContext } from '../../src/os/linux/linux-context.ts';
import type { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import type { RunScope } from '../../src/os/os-profile.ts';
import type { PluginContext } from '../../src/plugins/api.ts';
import { kmsg } from '../../src/plugins/linux/kmsg.ts';
import type { RunWarning } from '../../src/plugins/plugin.ts';
import type { BtfWriter } from '../helpers/btf-writer.ts';
import { KERNEL_START, SyntheticLinuxMemory, linuxContextBtf } from '../helpers/synthetic-linux.ts';

// Linux 5.4's kernel log: log_buf holds struct printk_log records (kernel/printk/printk.c, 3.11–5.9), written here
// the way log_store() writes them, old records dropped from the front to make room, wrapping at the buffer's end.

/** Volatility 3's kmsg.py: the names of syslog levels and facilities, in value order. */
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];

interface LogRecord {
  readonly ts: bigint;
  readonly facility: number;
  readonly level: number;
  readonly caller: { readonly cpu: number } | { readonly task: number };
  readonly text: string;
  readonly dict: readonly string[];
}

/** LOG_ALIGN on x86-64 (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS): records padded to 4 bytes. */
const LOG_ALIGN = 4;
const encode = (s: string) => new TextEncoder().encode(s);

/** log_buf and its indexes, written as log_store() and log_make_free_space() write them. */
class LogBuf {
  readonly bytes: Uint8Array;
  firstIdx = 0;
  nextIdx = 0;
  firstSeq = 0n;
  nextSeq = 0n;
  /** Every record stored, by sequence number. */
  readonly stored: LogRecord[] = [];
  /** The buffer index of each record stored, by sequence number. */
  readonly at: number[] = [];

  constructor(
    length: number,
    readonly headerSize: number,
  ) {
    this.bytes = new Uint8Array(length);
  }

  /** The records still in the buffer, oldest first. */
  get kept(): LogRecord[] {
    return this.stored.slice(Number(this.firstSeq));
  }

  store(record: LogRecord): void {
    const text = encode(record.text);
    const dict = encode(record.dict.join('\0'));
    const size = this.headerSize + text.length + dict.length;
    const length = size + (-size & (LOG_ALIGN - 1));
    while (this.firstSeq < this.nextSeq && !this.hasSpace(length)) {
      this.firstIdx = this.lenAt(this.firstIdx) === 0 ? this.lenAt(0) : this.firstIdx + this.lenAt(this.firstIdx);
      this.firstSeq++;
    }
    if (this.nextIdx + length + this.headerSize > this.bytes.length) {
      this.bytes.fill(0, this.nextIdx, this.nextIdx + this.headerSize);
      this.nextIdx = 0;
    }
    const at = this.nextIdx;
    const dv = new DataView(this.bytes.buffer);
    this.bytes.fill(0, at, at + length);
    dv.setBigUint64(at, record.ts, true);
    dv.setUint16(at + 8, length, true);
    dv.setUint16(at + 10, text.length, true);
    dv.setUint16(at + 12, dict.length, true);
    dv.setUint8(at + 14, record.facility);
    dv.setUint8(at + 15, (record.level << 5) | 0b10110); // flags:5 (set, to show they stay out of level), level:3
    if (this.headerSize > 16) dv.setUint32(at + 16, 'cpu' in record.caller ? 0x80000000 | record.caller.cpu : record.caller.task, true);
    this.bytes.set(text, at + this.headerSize);
    this.bytes.set(dict, at + this.headerSize + text.length);
    this.stored.push(record);
    this.at.push(at);
    this.nextIdx += length;
    this.nextSeq++;
  }

  private lenAt(idx: number): number {
    return this.bytes[idx + 8]! | (this.bytes[idx + 9]! << 8);
  }

  private hasSpace(length: number): boolean {
    const free = this.nextIdx > this.firstIdx ? Math.max(this.bytes.length - this.nextIdx, this.firstIdx) : this.firstIdx - this.nextIdx;
    return free >= length + this.headerSize;
  }
}

/** struct printk_log of 5.4 (packed, aligned to 4), with caller_id (CONFIG_PRINTK_CALLER) or without. */
function printkLogType(w: BtfWriter, caller: boolean): void {
  const u8 = w.int('unsigned char', 1);
  const u16 = w.int('short unsigned int', 2);
  const u32 = w.int('unsigned int', 4);
  const u64 = w.int('long long unsigned int', 8);
  w.struct('printk_log', caller ? 20 : 16, [
    ['ts_nsec', u64, 0],
    ['len', u16, 64],
    ['text_len', u16, 80],
    ['dict_len', u16, 96],
    ['facility', u8, 112],
    ['flags', u8, 120, 5],
    ['level', u8, 125, 3],
    ...(caller ? ([['caller_id', u32, 128]] as const) : []),
  ]);
}

const GLOBALS = ['init_task', 'log_buf', 'log_buf_len', 'log_first_idx', 'log_next_idx', 'log_first_seq', 'log_next_seq'];
const LOG_BUF = KERNEL_START + 0x10000n;

/** A 5.4 kernel whose log_buf is `log`, its globals as `log` says unless `globals` says otherwise. */
async function logBufKernel(log: LogBuf, globals: { readonly [name: string]: bigint } = {}): Promise<LinuxKernel> {
  const memory = new SyntheticLinuxMemory();
  const symbols = Object.fromEntries(GLOBALS.map((name, i) => [name, KERNEL_START + 0x1000n + BigInt(i * 8)]));
  const values: Record<string, bigint> = {
    log_buf: LOG_BUF,
    log_buf_len: BigInt(log.bytes.length),
    log_first_idx: BigInt(log.firstIdx),
    log_next_idx: BigInt(log.nextIdx),
    log_first_seq: log.firstSeq,
    log_next_seq: log.nextSeq,
    ...globals,
  };
  for (const [name, value] of Object.entries(values)) {
    const word = new Uint8Array(8);
    new DataView(word.buffer).setBigUint64(0, value, true);
    memory.write(symbols[name]!, word);
  }
  memory.write(LOG_BUF, log.bytes);
  return memory.kernel(
    linuxContextBtf([], (w) => printkLogType(w, log.headerSize > 16)),
    symbols,
  );
}

/** linux.kmsg's rows over `kernel`, with the run's warnings. */
async function kmsgRun(kernel: LinuxKernel): Promise<{ rows: unknown[][]; warnings: RunWarning[] }> {
  const warnings: RunWarning[] = [];
  const scope = { warn: (w: RunWarning) => warnings.push(w), progress: () => {} } as unknown as RunScope;
  const linux = new LinuxRunContext(kernel, scope);
  const rows: unknown[][] = [];
  for await (const row of kmsg.run({ linux: async () => linux } as unknown as PluginContext)) rows.push([...row.values]);
  return { rows, warnings };
}

/** The rows Volatility 3 prints for these records: each line of the text, then each dictionary entry after a space. */
function expectedRows(records: readonly LogRecord[], withCaller: boolean): unknown[][] {
  return records.flatMap((r) => {
    const seconds = `${r.ts / 1_000_000_000n}.${String((r.ts % 1_000_000_000n) / 1000n).padStart(6, '0')}`;
    const caller = !withCaller ? null : 'cpu' in r.caller ? `CPU(${r.caller.cpu})` : `Task(${r.caller.task})`;
    const prefix = [FACILITIES[r.facility] ?? String(r.facility), LEVELS[r.level], seconds, caller];
    return [...r.text.split('\n').map((line) => [...prefix, line]), ...r.dict.map((entry) => [...prefix, ` ${entry}`])];
  });
}

/** The n-th record of a boot's log: levels and facilities varied (one unnamed), some multi-line, one in three with a dictionary. */
function record(n: number): LogRecord {
  return {
    ts: 1_000_000_000n + BigInt(n) * 123_456_789n,
    facility: [0, 0, 1, 3, 16][n % 5]!,
    level: n % 8,
    caller: n % 2 ? { cpu: n % 4 } : { task: 100 + n },
    text: n % 7 === 3 ? `message ${n}: first line\nsecond line µs` : `message ${n}${'.'.repeat(n % 13)}`,
    dict: n % 3 === 1 ? ['SUBSYSTEM=pci', `DEVICE=+pci:0000:00:${String(n % 32).padStart(2, '0')}.0`] : [],
  };
}

function filledLog(records: number, headerSize = 20, length = 2048): LogBuf {
  const log = new LogBuf(length, headerSize);
  for (let n = 0; n < records; n++) log.store(record(n));
  return log;
}

describe('linux.kmsg before 5.10: log_buf of struct printk_log records', () => {
  it('reads the records from log_first_idx round the end of the buffer to log_next_idx, as Volatility 3 prints them', async () => {
    const log = filledLog(200);
    assert.ok(log.firstSeq > 0n && log.firstIdx > log.nextIdx, 'old records dropped, the newest wrapped to the start');
    assert.ok(log.kept.some((r) => r.dict.length > 0) && log.kept.some((r) => r.text.includes('\n')));
    const { rows, warnings } = await kmsgRun(await logBufKernel(log));
    assert.deepEqual(warnings, []);
    assert.deepEqual(rows, expectedRows(log.kept, true));
  });

  it('reads a buffer not yet wrapped, and records without caller_id (kernels built without CONFIG_PRINTK_CALLER)', async () => {
    const log = filledLog(12, 16);
    assert.ok(log.firstSeq === 0n && log.firstIdx < log.nextIdx);
    const { rows, warnings } = await kmsgRun(await logBufKernel(log));
    assert.deepEqual(warnings, []);
    assert.deepEqual(rows, expectedRows(log.stored, false));
  });

  it('an empty buffer (log_first_seq == log_next_seq, as at boot) gives no rows and no warning', async () => {
    assert.deepEqual(await kmsgRun(await logBufKernel(new LogBuf(2048, 20))), { rows: [], warnings: [] });
  });

  it('a record whose length runs past the buffer: the rows before it, and one warning at it', async () => {
    const log = filledLog(200);
    const bad = Number(log.firstSeq) + 5;
    new DataView(log.bytes.buffer).setUint16(log.at[bad]! + 8, 0xfff0, true);
    const { rows, warnings } = await kmsgRun(await logBufKernel(log));
    assert.deepEqual(rows, expectedRows(log.stored.slice(Number(log.firstSeq), bad), true));
    const total = log.nextSeq - log.firstSeq;
    assert.deepEqual(warnings, [
      {
        code: 'SMEAR',
        message: `kernel log record 6 of ${total} is 65520 bytes: it runs past its part of the buffer: walk stopped`,
        address: hex(LOG_BUF + BigInt(log.at[bad]!)),
      },
    ]);
  });

  it('a record too short for its text, a wrap marker where the records do not wrap, implausible bounds: a warning each', async () => {
    const log = filledLog(200);
    const bad = Number(log.firstSeq) + 2;
    new DataView(log.bytes.buffer).setUint16(log.at[bad]! + 10, 1000, true); // text_len
    const short = await kmsgRun(await logBufKernel(log));
    assert.deepEqual(short.rows, expectedRows(log.stored.slice(Number(log.firstSeq), bad), true));
    assert.match(
      short.warnings[0]!.message,
      /^kernel log record 3 of \d+ is \d+ bytes, too few for its header, 1000 bytes of text and \d+ of dictionary: walk stopped$/,
    );

    const straight = filledLog(12);
    new DataView(straight.bytes.buffer).setUint16(straight.at[4]! + 8, 0, true);
    const marker = await kmsgRun(await logBufKernel(straight));
    assert.deepEqual(marker.rows, expectedRows(straight.stored.slice(0, 4), true));
    const [textLen, dictLen] = [encode(straight.stored[4]!.text).length, encode(straight.stored[4]!.dict.join('\0')).length];
    assert.deepEqual(
      marker.warnings.map((w) => w.message),
      [`kernel log record 5 of 12 is 0 bytes, too few for its header, ${textLen} bytes of text and ${dictLen} of dictionary: walk stopped`],
    );

    const bounds = await kmsgRun(await logBufKernel(straight, { log_next_idx: 4096n }));
    assert.deepEqual(bounds.rows, []);
    assert.deepEqual(bounds.warnings, [
      {
        code: 'SMEAR',
        message: `the kernel log buffer has implausible bounds (2048 bytes, records from index 0 to 4096, sequence 0 to 12)`,
        address: hex(LOG_BUF),
      },
    ]);
  });

  it('sequence numbers that disagree with the records walked: every record, and a warning saying so', async () => {
    const log = filledLog(200);
    const { rows, warnings } = await kmsgRun(await logBufKernel(log, { log_next_seq: log.nextSeq + 3n }));
    assert.deepEqual(rows, expectedRows(log.kept, true));
    assert.deepEqual(warnings, [
      {
        code: 'SMEAR',
        message: `the kernel log buffer holds ${log.kept.length} records where its sequence numbers say ${log.kept.length + 3}`,
        address: hex(LOG_BUF),
      },
    ]);
  });

  it('a kernel with neither printk_ringbuffer nor printk_log is refused with a message naming both', async () => {
    const kernel = await new SyntheticLinuxMemory().kernel(linuxContextBtf(), { init_task: KERNEL_START });
    await assert.rejects(
      kmsgRun(kernel),
      (e) => isMemscopeError(e) && e.code === 'UNSUPPORTED' && /neither struct printk_ringbuffer \(5\.10\+\) nor printk_log/.test(e.message),
    );
  });
});
