// Test helper: a Linux kernel context over encoder-built memory, for layouts no captured image has. The kernel's
// types come from a BTF written here (the fields the context needs, plus what a test adds), its symbols from a list.
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { KernelSymbols } from '../../src/os/linux/kallsyms-tables.ts';
import { LinuxKernel } from '../../src/os/linux/linux-kernel.ts';
import { LinuxSymbolTable } from '../../src/os/linux/linux-symbol-table.ts';
import { parseBtf } from '../../src/symbols/btf.ts';
import { linuxIdentity } from '../../src/symbols/symbol-table.ts';
import { BtfWriter } from './btf-writer.ts';

/**
 * A BTF with the types the Linux kernel context reads, less the fields named in `without` ("task_struct.comm"),
 * and whatever `more` writes after them.
 */
export function linuxContextBtf(without: readonly string[] = [], more: (w: BtfWriter) => void = () => {}): Uint8Array {
  const w = new BtfWriter();
  const int = w.int('int', 4, { signed: true });
  const uint = w.int('unsigned int', 4);
  const char = w.int('char', 1, { signed: true });
  const ulong = w.int('long unsigned int', 8);
  const pointer = w.ptr(0);
  const listHead = w.struct('list_head', 16, [
    ['next', pointer, 0],
    ['prev', pointer, 64],
  ]);
  const kuid = w.typedef('kuid_t', w.struct('', 4, [['val', uint, 0]]));
  const kgid = w.typedef('kgid_t', w.struct('', 4, [['val', uint, 0]]));
  const keep = (struct: string, members: [string, number, number][]) => members.filter(([name]) => !without.includes(`${struct}.${name}`));
  w.struct(
    'cred',
    16,
    keep('cred', [
      ['uid', kuid, 0],
      ['gid', kgid, 32],
      ['euid', kuid, 64],
      ['egid', kgid, 96],
    ]),
  );
  w.struct(
    'mm_struct',
    16,
    keep('mm_struct', [
      ['pgd', pointer, 0],
      ['arg_start', ulong, 64],
    ]),
  );
  const task = [
    ['__state', uint, 0],
    ['flags', uint, 32],
    ['tasks', listHead, 64],
    ['mm', pointer, 192],
    ['pid', int, 256],
    ['tgid', int, 288],
    ['real_parent', pointer, 320],
    ['cred', pointer, 384],
    ['comm', w.array(char, 16), 448],
  ] satisfies [string, number, number][];
  w.struct('task_struct', 72, keep('task_struct', task));
  more(w);
  return w.build();
}

const PAGE_TABLES = 0x1000;
const KERNEL_PHYSICAL = 0x200000;
const LARGE_PAGE = 0x200000;
/** The kernel virtual addresses mapped: one 2 MiB page at the usual start of the kernel image. */
export const KERNEL_START = 0xffffffff81000000n;
export const KERNEL_SIZE = LARGE_PAGE;

/**
 * Physical memory holding x86-64 page tables (PML4, PDPT, PD at 0x1000–0x3fff) that map KERNEL_SIZE bytes at
 * KERNEL_START to physical 2 MiB; tests write kernel structures there by virtual address.
 */
export class SyntheticLinuxMemory {
  readonly bytes = new Uint8Array(KERNEL_PHYSICAL + LARGE_PAGE);

  constructor() {
    const dv = new DataView(this.bytes.buffer);
    const index = (level: number) => Number((KERNEL_START >> BigInt(12 + 9 * level)) & 511n);
    const present = 0x3n; // present, writable
    dv.setBigUint64(PAGE_TABLES + index(3) * 8, BigInt(PAGE_TABLES + 0x1000) | present, true);
    dv.setBigUint64(PAGE_TABLES + 0x1000 + index(2) * 8, BigInt(PAGE_TABLES + 0x2000) | present, true);
    dv.setBigUint64(PAGE_TABLES + 0x2000 + index(1) * 8, BigInt(KERNEL_PHYSICAL) | present | 0x80n, true); // PS: 2 MiB
  }

  write(vaddr: bigint, data: Uint8Array): void {
    const at = vaddr - KERNEL_START;
    if (at < 0n || at + BigInt(data.length) > BigInt(KERNEL_SIZE)) throw new Error(`0x${vaddr.toString(16)} is not mapped`);
    this.bytes.set(data, KERNEL_PHYSICAL + Number(at));
  }

  /** A kernel context over this memory as it is now (later writes are not seen), with `btf`'s types and these symbols. */
  async kernel(btf: Uint8Array, symbols: Readonly<Record<string, bigint>>): Promise<LinuxKernel> {
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(new MemorySource(this.bytes.slice(), 'synthetic.raw'));
    const release = '5.4.0';
    const discovery = { release, banner: '', vmcoreinfo: '', vmcoreinfoFoundAt: '', kaslrOffset: '0x0', physBase: '0x0', dtb: PAGE_TABLES };
    const names = Object.keys(symbols);
    const kallsyms = new KernelSymbols(names, 'D'.repeat(names.length), BigUint64Array.from(Object.values(symbols)));
    const table = new LinuxSymbolTable(linuxIdentity(`Linux version ${release}`), 'test BTF', parseBtf(btf, 'test BTF'), kallsyms);
    return new LinuxKernel(physical, env.wasm, discovery, table, 0n);
  }
}
