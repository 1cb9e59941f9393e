import type { ScanService } from '../../engine/scan-service.ts';
import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import { physicalWindow } from '../../layers/physical-window.ts';
import { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../../layers/wasm-module.ts';
import type { OsOutcome } from '../os-profile.ts';
import { findBanner } from './banner.ts';
import { scanForVmcoreinfo, vmcoreinfoFromNotes, type VmcoreinfoCandidate } from './vmcoreinfo-locator.ts';
import { Vmcoreinfo } from './vmcoreinfo.ts';

/** x86-64 __START_KERNEL_map: kernel text is mapped at this base + (phys - phys_base). */
const START_KERNEL_MAP = 0xffffffff80000000n;
const U64 = (1n << 64n) - 1n;

/** What Linux discovery found; plain JSON (bigints as hex strings) so it can be cached per image. */
export interface LinuxDiscovery {
  readonly release: string;
  /** The kernel banner ("Linux version ..."), the key of its symbol table; empty when not found. */
  readonly banner: string;
  readonly vmcoreinfo: string;
  readonly vmcoreinfoFoundAt: string;
  /** KASLR slide (KERNELOFFSET), hex. */
  readonly kaslrOffset: string;
  /** phys_base as the kernel holds it (two's complement, hex). */
  readonly physBase: string;
  /** Physical address of init_top_pgt, the kernel's page-table root. */
  readonly dtb: number;
}

export type LinuxOutcome = OsOutcome<LinuxDiscovery>;

export const linuxKernelLayer = (physical: PhysicalLayer, wasm: MemscopeWasm, dtb: number): VirtualLayer =>
  new VirtualLayer(physical, wasm, dtb, { windows: false });

export function vmcoreinfoOf(d: LinuxDiscovery): Vmcoreinfo {
  const info = Vmcoreinfo.parse(d.vmcoreinfo);
  if (!info) throw new Error('cached Linux discovery holds invalid VMCOREINFO');
  return info;
}

/** Linux discovery from VMCOREINFO in the container's notes; null when it has none (then `discoverLinux`). */
export async function discoverLinuxFromNotes(physical: PhysicalLayer, wasm: MemscopeWasm): Promise<LinuxOutcome | null> {
  const candidates = vmcoreinfoFromNotes(physical);
  return candidates.length ? fromCandidates(physical, wasm, candidates) : null;
}

/** The kernel and its VMCOREINFO are loaded low: the first 4 GiB are searched before the rest. */
const FIRST_WINDOW = 4 * 1024 ** 3;

/** Linux discovery by searching physical memory for VMCOREINFO. */
export async function discoverLinux(physical: PhysicalLayer, wasm: MemscopeWasm, scanner: ScanService, signal?: AbortSignal): Promise<LinuxOutcome> {
  let outcome: LinuxOutcome = { discovery: null, partial: false, why: 'no Linux VMCOREINFO in memory' };
  for (const [start, end] of [
    [0, FIRST_WINDOW],
    [FIRST_WINDOW, physical.size],
  ] as const) {
    if (start >= physical.size) break;
    const candidates = await scanForVmcoreinfo(physicalWindow(physical, start, end), scanner, signal);
    if (!candidates.length) continue;
    outcome = await fromCandidates(physical, wasm, candidates);
    if (outcome.discovery) return outcome;
  }
  return outcome;
}

/** The first candidate whose page tables map the kernel text where VMCOREINFO says it is. */
async function fromCandidates(physical: PhysicalLayer, wasm: MemscopeWasm, candidates: readonly VmcoreinfoCandidate[]): Promise<LinuxOutcome> {
  let why = '';
  for (const { info, foundAt } of candidates) {
    const checked = await checkCandidate(physical, wasm, info);
    if (typeof checked === 'string') {
      why ||= `Linux ${info.osRelease} found (VMCOREINFO at ${foundAt}) but ${checked}`;
      continue;
    }
    const banner = (await findBanner(checked.layer, info)) ?? '';
    return {
      discovery: {
        release: info.osRelease,
        banner,
        vmcoreinfo: info.text,
        vmcoreinfoFoundAt: foundAt,
        kaslrOffset: `0x${info.kernelOffset.toString(16)}`,
        physBase: `0x${checked.physBase.toString(16)}`,
        dtb: checked.dtb,
      },
    };
  }
  return { discovery: null, partial: true, why };
}

/** Whether a remembered discovery still fits this image: its page tables map the kernel text where it says. */
export async function confirmLinux(physical: PhysicalLayer, wasm: MemscopeWasm, d: LinuxDiscovery): Promise<boolean> {
  const info = typeof d.vmcoreinfo === 'string' ? Vmcoreinfo.parse(d.vmcoreinfo) : null;
  if (!info) return false;
  const checked = await checkCandidate(physical, wasm, info);
  return typeof checked !== 'string' && checked.dtb === d.dtb;
}

/** Physical address of a kernel-text virtual address. */
export function textPhysical(vaddr: bigint, physBase: bigint): bigint {
  return (vaddr - START_KERNEL_MAP + physBase) & U64;
}

async function checkCandidate(
  physical: PhysicalLayer,
  wasm: MemscopeWasm,
  info: Vmcoreinfo,
): Promise<{ dtb: number; physBase: bigint; layer: VirtualLayer } | string> {
  if (info.number('pgtable_l5_enabled') === 1n) return '5-level paging is not supported yet';
  const root = info.symbol('init_top_pgt') ?? info.symbol('swapper_pg_dir');
  if (root === undefined) return 'it names no init_top_pgt / swapper_pg_dir';
  const physBase = (info.number('phys_base') ?? 0n) & U64;
  const dtb = textPhysical(root, physBase);
  if (dtb >= BigInt(physical.size) || dtb % 4096n !== 0n)
    return `its page-table root (physical 0x${dtb.toString(16)}) is outside the captured memory`;
  const layer = linuxKernelLayer(physical, wasm, Number(dtb));
  const stext = info.symbol('_stext')!;
  const mapped = await layer.translate(stext);
  if (mapped === null || BigInt(mapped) !== textPhysical(stext, physBase)) {
    return 'its page tables do not map the kernel text where VMCOREINFO puts it (a capture from another machine, or truncated)';
  }
  return { dtb: Number(dtb), physBase, layer };
}
