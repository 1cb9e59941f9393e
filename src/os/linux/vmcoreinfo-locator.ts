import type { ScanService } from '../../engine/scan-service.ts';
import type { PhysicalLayer } from '../../layers/physical-layer.ts';
import { Vmcoreinfo } from './vmcoreinfo.ts';

const NOTE_NAME = new TextEncoder().encode('VMCOREINFO\0');
const FIRST_LINE = new TextEncoder().encode('OSRELEASE=');
/** crash_core keeps VMCOREINFO in one page; more is not VMCOREINFO. */
const MAX_TEXT = 4096;
/** Copies seen in real images: the ELF note, vmcoreinfo_data, stale page-cache copies. More is smear. */
const MAX_CANDIDATES = 32;
const latin1 = new TextDecoder('latin1');

export interface VmcoreinfoCandidate {
  readonly info: Vmcoreinfo;
  /** 'container note' or the physical address the text was found at. */
  readonly foundAt: string;
}

/** VMCOREINFO recorded by the container (ELF / kdump note), without reading memory. */
export function vmcoreinfoFromNotes(physical: PhysicalLayer): VmcoreinfoCandidate[] {
  return physical.notes
    .filter((n) => n.name === 'VMCOREINFO')
    .map((n) => Vmcoreinfo.parse(textOf(n.desc)))
    .filter((info): info is Vmcoreinfo => info !== null)
    .map((info) => ({ info, foundAt: 'container note' }));
}

/**
 * Every distinct VMCOREINFO text in physical memory: ELF notes named "VMCOREINFO" (the kernel's own note
 * in crash_kexec's buffer) and bare texts starting "OSRELEASE=" (vmcoreinfo_data). Order: address order.
 */
export async function scanForVmcoreinfo(physical: PhysicalLayer, scanner: ScanService, signal?: AbortSignal): Promise<VmcoreinfoCandidate[]> {
  const hits = scanner.scan(physical, { kind: 'bytes', patterns: [NOTE_NAME, FIRST_LINE] }, { signal });
  const seen = new Set<string>();
  const found: VmcoreinfoCandidate[] = [];
  for await (const hit of hits) {
    if (found.length >= MAX_CANDIDATES) break;
    const text = hit.pattern === 0 ? await noteText(physical, hit.address) : textOf(await physical.read(hit.address, MAX_TEXT));
    if (!text || seen.has(text)) continue;
    seen.add(text);
    const info = Vmcoreinfo.parse(text);
    if (info) found.push({ info, foundAt: `physical 0x${hit.address.toString(16)}` });
  }
  return found;
}

/** The desc of an ELF note whose name starts at `nameAt`, if the 12-byte header before it fits one. */
async function noteText(physical: PhysicalLayer, nameAt: number): Promise<string | null> {
  if (nameAt < 12) return null;
  const header = new DataView((await physical.read(nameAt - 12, 12)).buffer);
  const [nameSize, descSize, type] = [header.getUint32(0, true), header.getUint32(4, true), header.getUint32(8, true)];
  if (nameSize !== NOTE_NAME.length || type !== 0 || descSize === 0 || descSize > MAX_TEXT) return null;
  return textOf(await physical.read(nameAt + 12, descSize));
}

function textOf(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return latin1.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
