// Node-only test helper: the real Linux capture as a VMware pair. The .vmem holds the RAM (linux-a.raw) and then
// the BIOS ROM range from the ELF core's PT_LOAD for it (0xfffc0000-0xffffffff), as VMware stores memory above a hole
// right after the memory below it; the .vmss maps the two regions back to their physical addresses.
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { linuxFixtureFile, linuxTruth } from './linux-fixture.ts';
import { PAGE, vmwareState, type VmwareRegionSpec } from './vmware-writer.ts';

export interface LinuxVmwarePair {
  readonly vmem: string;
  readonly vmss: string;
  readonly regions: readonly VmwareRegionSpec[];
  /** The ROM's physical address, length and offset in the ELF core. */
  readonly rom: { readonly address: number; readonly length: number; readonly elfOffset: number };
}

/** Writes `stem.vmem` and `stem.vmss` into `dir`. */
export async function writeLinuxVmwarePair(dir: string, stem = 'linux-a'): Promise<LinuxVmwarePair> {
  const truth = linuxTruth();
  const ram = truth.files['linux-a.raw']!.size;
  const load = truth.elf_program_headers.find((h) => h.type === 'LOAD' && Number(h.paddr) !== 0);
  if (!load) throw new Error('truth.json lists no PT_LOAD above RAM (the ROM)');
  const rom = { address: Number(load.paddr), length: load.filesz, elfOffset: Number(load.offset) };
  const vmem = join(dir, `${stem}.vmem`);
  const vmss = join(dir, `${stem}.vmss`);
  const out = createWriteStream(vmem);
  await pipeline(createReadStream(await linuxFixtureFile('linux-a.raw')), out, { end: false });
  const elf = await linuxFixtureFile('linux-a.elf');
  await pipeline(createReadStream(elf, { start: rom.elfOffset, end: rom.elfOffset + rom.length - 1 }), out);
  const regions = [
    { physicalPage: 0, filePage: 0, pages: ram / PAGE },
    { physicalPage: rom.address / PAGE, filePage: ram / PAGE, pages: rom.length / PAGE },
  ];
  await writeFile(vmss, vmwareState(regions));
  return { vmem, vmss, regions, rom };
}
