import type { VirtualMemory } from '../../../plugins/api/memory.ts';

const PE32_PLUS_MAGIC = 0x20b;
const EXPORT_DIRECTORY_SIZE = 40;
/** ntoskrnl exports about 3000 names; more is a corrupt directory, read this far. */
const MAX_NAMES = 0x10000;
const MAX_NAME = 256;

/**
 * The named exports of a PE32+ image mapped at `base` (its export directory: names → RVAs), the ones in `wanted`
 * only. Forwarders and names that do not read are skipped; an unreadable directory gives an empty map.
 */
export async function readExports(vm: VirtualMemory, base: bigint, wanted: ReadonlySet<string>): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const header = await vm.read(base, 0x400);
  if (!header || header[0] !== 0x4d || header[1] !== 0x5a) return found;
  const dv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const nt = dv.getUint32(0x3c, true);
  if (nt + 0x18 + 0x78 > header.length || dv.getUint16(nt + 0x18, true) !== PE32_PLUS_MAGIC) return found;
  const dirRva = dv.getUint32(nt + 0x18 + 0x70, true);
  const dirSize = dv.getUint32(nt + 0x18 + 0x74, true);
  const dir = dirRva === 0 ? null : await vm.read(base + BigInt(dirRva), EXPORT_DIRECTORY_SIZE);
  if (!dir) return found;
  const d = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const functions = d.getUint32(20, true);
  const names = Math.min(d.getUint32(24, true), MAX_NAMES);
  const [addresses, namePointers, ordinals] = [d.getUint32(28, true), d.getUint32(32, true), d.getUint32(36, true)];
  const nameTable = await vm.read(base + BigInt(namePointers), 4 * names);
  const ordinalTable = await vm.read(base + BigInt(ordinals), 2 * names);
  if (!nameTable || !ordinalTable) return found;
  const nv = new DataView(nameTable.buffer, nameTable.byteOffset, nameTable.byteLength);
  const ov = new DataView(ordinalTable.buffer, ordinalTable.byteOffset, ordinalTable.byteLength);
  for (let i = 0; i < names && found.size < wanted.size; i++) {
    const name = await readAscii(vm, base + BigInt(nv.getUint32(4 * i, true)));
    if (name === null || !wanted.has(name)) continue;
    const ordinal = ov.getUint16(2 * i, true);
    if (ordinal >= functions) continue;
    const rva = await vm.readU32(base + BigInt(addresses + 4 * ordinal));
    // An RVA inside the export directory is a forwarder string, not the symbol.
    if (rva === null || (rva >= dirRva && rva < dirRva + dirSize)) continue;
    found.set(name, rva);
  }
  return found;
}

/** A NUL-terminated name of at most MAX_NAME bytes, read a page at a time (the next page may not be mapped). */
async function readAscii(vm: VirtualMemory, at: bigint): Promise<string | null> {
  let text = '';
  for (let next = at; text.length < MAX_NAME;) {
    const length = Math.min(MAX_NAME - text.length, 0x1000 - Number(next % 0x1000n));
    const bytes = await vm.read(next, length);
    if (!bytes) return null;
    const end = bytes.indexOf(0);
    text += String.fromCharCode(...bytes.subarray(0, end < 0 ? bytes.length : end));
    if (end >= 0) return text;
    next += BigInt(length);
  }
  return null;
}
