/**
 * x86 disassembly as Volatility 3's text renderer prints capstone's (display_disassembly): one line per
 * instruction, each led by a newline, `0x<address>:\t<mnemonic>\t<operands>`, Intel syntax; the listing ends at
 * the first bytes that do not decode. capstone-wasm (capstone 5 compiled to Wasm) is loaded on first use only:
 * in the page its bundle and capstone.wasm are separate files next to the engine worker (src/build/build.mjs
 * points this import at them), in Node the package itself.
 */

/** Disassembles `data` at `address` as 64-bit code, or 32-bit (Volatility's choice for a WoW64 process). */
export type Disassemble = (data: Uint8Array, address: bigint, bits?: 32 | 64) => string;

let loaded: Promise<Disassemble> | undefined;

/** The disassembler, loaded once; rejects when it cannot be loaded (then again on the next call). */
export function loadDisassembler(): Promise<Disassemble> {
  loaded ??= load().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

async function load(): Promise<Disassemble> {
  const { Capstone, Const, loadCapstone } = await import('capstone-wasm');
  await loadCapstone();
  const modes = { 32: Const.CS_MODE_32, 64: Const.CS_MODE_64 };
  const handles = new Map<32 | 64, InstanceType<typeof Capstone>>();
  return (data, address, bits = 64) => {
    if (data.length === 0) return '';
    let cs = handles.get(bits);
    if (!cs) handles.set(bits, (cs = new Capstone(Const.CS_ARCH_X86, modes[bits])));
    let instructions;
    try {
      instructions = cs.disasm(data, { address });
    } catch {
      return ''; // capstone-wasm throws where not even the first instruction decodes: an empty listing, as capstone's
    }
    return instructions.map((i) => `\n0x${BigInt(i.address).toString(16)}:\t${i.mnemonic}\t${i.opStr}`).join('');
  };
}
