import type { PluginDefinition } from '../api.ts';

const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];

/** Seconds since boot with microseconds, as dmesg and Volatility print them: "12.345678". */
export function kernelTimestamp(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${((ns % 1_000_000_000n) / 1000n).toString().padStart(6, '0')}`;
}

export const kmsg: PluginDefinition = {
  name: 'linux.kmsg',
  description: 'Kernel log buffer reader (the printk ring buffer, or log_buf before 5.10, as dmesg shows it).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'facility', type: 'str' },
    { name: 'level', type: 'str' },
    { name: 'timestamp', type: 'str' },
    { name: 'caller', type: 'str' },
    { name: 'line', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const r of linux.kernelLog()) {
      ctx.signal?.throwIfAborted();
      const prefix = [FACILITIES[r.facility] ?? String(r.facility), LEVELS[r.level] ?? String(r.level), kernelTimestamp(r.timestampNs), r.caller];
      for (const line of r.text.split('\n')) yield { depth: 0, values: [...prefix, line] };
      // Volatility prints each dictionary entry as a line of its own after the text, indented by a space.
      for (const entry of r.dictionary) yield { depth: 0, values: [...prefix, ` ${entry}`] };
    }
  },
};
