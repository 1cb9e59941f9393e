import { hex } from '../../io/hex.ts';
import type { TtyReceiver } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { cString } from '../c-string.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** Callbacks on one notifier chain, tty drivers, and ttys per driver: more than any system registers. */
const MAX_NOTIFIERS = 4096;
const MAX_DRIVERS = 4096;
const MAX_TTYS_PER_DRIVER = 65536;

/**
 * The callbacks on keyboard_notifier_list (an atomic notifier chain: notifier_block.next from head), in chain order:
 * a keylogger registers one. A loop or an unreadable block ends the chain with a warning.
 */
export async function* keyboardNotifiers(kernel: LinuxKernel, warn: Warn): AsyncGenerator<bigint> {
  const layout = kernel.layout;
  const headAt = kernel.symbolAddress('keyboard_notifier_list') + BigInt(layout.offset('atomic_notifier_head', 'head'));
  let block = await kernel.vm.readU64(headAt);
  const seen = new Set<bigint>();
  while (block) {
    if (seen.has(block) || seen.size >= MAX_NOTIFIERS) {
      warn({ code: 'SMEAR', message: 'the keyboard notifier chain loops or is too long: the rest not read', address: hex(block) });
      return;
    }
    seen.add(block);
    const view = await kernel.readStruct('notifier_block', block);
    if (!view) {
      warn({ code: 'UNREADABLE', message: 'a keyboard notifier block is not readable: the rest of the chain not read', address: hex(block) });
      return;
    }
    yield view.u64('notifier_call');
    block = view.u64('next');
  }
}

/**
 * Every open tty (each tty_driver on tty_drivers, each non-NULL slot of its ttys array) with its line discipline's
 * receive_buf: the function every byte typed on it passes through, which a tty keylogger replaces.
 */
export async function* ttyReceivers(kernel: LinuxKernel, warn: Warn): AsyncGenerator<TtyReceiver> {
  const layout = kernel.layout;
  const listAt = BigInt(layout.offset('tty_driver', 'tty_drivers'));
  for await (const link of listEntries(kernel, kernel.symbolAddress('tty_drivers'), 'tty drivers', warn, MAX_DRIVERS)) {
    const driver = await kernel.readStruct('tty_driver', link - listAt);
    if (!driver) {
      warn({ code: 'UNREADABLE', message: 'a tty driver is not readable', address: hex(link - listAt) });
      continue;
    }
    const count = Math.min(driver.u32('num'), MAX_TTYS_PER_DRIVER);
    const ttys = driver.u64('ttys');
    const slots = ttys === 0n || count === 0 ? null : await kernel.vm.read(ttys, count * 8);
    if (!slots) continue;
    const view = new DataView(slots.buffer, slots.byteOffset, slots.byteLength);
    for (let i = 0; i < count; i++) {
      const address = view.getBigUint64(i * 8, true);
      if (address === 0n) continue;
      const tty = await kernel.readStruct('tty_struct', address);
      const ops = tty && (await kernel.vm.readU64(tty.u64('ldisc') + BigInt(layout.offset('tty_ldisc', 'ops'))));
      const handler = ops && (await kernel.vm.readU64(ops + BigInt(layout.offset('tty_ldisc_ops', 'receive_buf'))));
      if (!tty || handler === null || handler === undefined || handler === 0n) {
        warn({ code: 'UNREADABLE', message: 'a tty or its line discipline is not readable', address: hex(address) });
        continue;
      }
      yield { name: cString(tty.raw('name')), handler };
    }
  }
}
