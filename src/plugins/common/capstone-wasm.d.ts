// capstone-wasm ships dist/index.d.ts, but its package.json "exports" does not name it, so TypeScript cannot find it:
// the part of it that disassemble.ts uses.
declare module 'capstone-wasm' {
  export interface Insn {
    id: number;
    address: number | bigint;
    size: number;
    bytes: Uint8Array;
    mnemonic: string;
    opStr: string;
  }
  export class Capstone {
    constructor(arch: number, mode: number);
    /** Throws where not even the first instruction decodes. */
    disasm(data: number[] | Uint8Array, options?: { address?: number | bigint; count?: number }): Insn[];
    close(): void;
  }
  export const Const: { readonly CS_ARCH_X86: number; readonly CS_MODE_32: number; readonly CS_MODE_64: number };
  export function loadCapstone(args?: Record<string, unknown>): Promise<void>;
}
