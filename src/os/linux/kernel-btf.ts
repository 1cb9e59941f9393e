import { isMemscopeError, MemscopeError } from '../../errors.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { parseBtf, type BtfTypes } from '../../symbols/btf.ts';
import type { LinuxDiscovery } from './discovery.ts';

/** Distribution kernels carry 4-8 MiB of BTF; more is not BTF. */
export const MAX_BTF = 64 * 1024 * 1024;

/** The kernel's BTF types from `size` bytes at `start` (__start_BTF); SYMBOLS_MISSING (with what to provide instead) when unusable. */
export async function readKernelBtf(vm: VirtualLayer, d: LinuxDiscovery, start: bigint, size: bigint, origin: string): Promise<BtfTypes> {
  if (size <= 0n || size > BigInt(MAX_BTF))
    throw new MemscopeError('SYMBOLS_INVALID', `the kernel's BTF section has an implausible size (${size} bytes)`);
  const blob = await vm.read(start, Number(size));
  if (!blob)
    throw new MemscopeError(
      'SYMBOLS_MISSING',
      `the kernel's BTF (${size} bytes at 0x${start.toString(16)}) is not in the captured memory: the capture may be truncated`,
    );
  try {
    return parseBtf(blob, origin);
  } catch (e) {
    if (isMemscopeError(e) && (e.code === 'SYMBOLS_INVALID' || e.code === 'UNSUPPORTED'))
      throw noBtf(d, `the kernel's BTF (at 0x${start.toString(16)}) cannot be used: ${e.message}`);
    throw e;
  }
}

/** SYMBOLS_MISSING for a kernel whose types cannot be read from the image: how to build the ISF it needs instead. */
export function noBtf(d: LinuxDiscovery, why: string): MemscopeError {
  return new MemscopeError(
    'SYMBOLS_MISSING',
    [
      `Linux ${d.release}: ${why}, so its structures cannot be read without a symbol table.`,
      `Provide a Volatility 3 Linux ISF for "${d.banner || d.release}": build it with dwarf2json from the kernel's debug package ` +
        `(e.g. linux-image-${d.release}-dbg: dwarf2json linux --elf /usr/lib/debug/boot/vmlinux-${d.release} > ${d.release}.json), ` +
        'put it under <dir>/linux/ and pass -s <dir>, or drop the .json/.json.xz onto the page.',
    ].join('\n'),
  );
}
