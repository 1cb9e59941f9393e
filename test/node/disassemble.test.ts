/**
 * windows.malfind's Disasm column (src/plugins/common/disassemble.ts, capstone-wasm): Volatility 3's line format, and
 * the instructions against LLVM's disassembler (llvm-mc + llvm-objdump, test/helpers/llvm-disassembly.ts) on the
 * generator's injected PE header (as 64- and 32-bit code) and on function prologues.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDisassembler } from '../../src/plugins/common/disassemble.ts';
import { peHeaders } from '../fixtures/windows/injected-code.ts';
import { llvmDisassembly, needLlvm, parseDisasm } from '../helpers/llvm-disassembly.ts';

const AT = 0x6161d0d0000n;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** push rbp; mov rbp, rsp; sub rsp, 0x20; mov rax, [rip + 0x10]; mov dword ptr [rbp - 4], 1; call; lea; movabs; jmp [rip]; nop word; ret */
const PROLOGUE = hex('55 4889e5 4883ec20 488b0510000000 c745fc01000000 e800000000 4d8d442440 48b8efbeadde00000000 ff2500000000 660f1f440000 c3');

describe('x86-64 disassembly for windows.malfind', () => {
  it('prints Volatility’s lines: "\\n0x<address>:\\t<mnemonic>\\t<operands>", Intel syntax, at the address given', async () => {
    const disassemble = await loadDisassembler();
    assert.equal(disassemble(hex('55 4889e5 c3'), 0x1f0000n), '\n0x1f0000:\tpush\trbp\n0x1f0001:\tmov\trbp, rsp\n0x1f0004:\tret\t');
  });

  it('ends the listing at bytes that do not decode, and is empty when the first do not', async () => {
    const disassemble = await loadDisassembler();
    assert.equal(disassemble(hex('90 ffff 90'), 0x1000n), '\n0x1000:\tnop\t');
    assert.equal(disassemble(hex('ffff 90'), 0x1000n), '');
    assert.equal(disassemble(new Uint8Array(0), 0x1000n), '');
  });

  it('disassembles the injected PE header’s first 64 bytes as LLVM does', { skip: needLlvm() }, async () => {
    const disassemble = await loadDisassembler();
    const data = peHeaders().subarray(0, 64);
    const want = llvmDisassembly(data, AT);
    // MZ (4d 5a) is `pop r10` in 64-bit code; ff ff at offset 12 does not decode.
    assert.deepEqual(want[0], [AT, 'pop', 'r10']);
    assert.equal(want.length, 6);
    assert.deepEqual(parseDisasm(disassemble(data, AT)), want);
  });

  it('disassembles 32-bit code (a WoW64 process’s) as LLVM does', { skip: needLlvm() }, async () => {
    const disassemble = await loadDisassembler();
    const data = peHeaders().subarray(0, 64);
    const want = llvmDisassembly(data, 0x400000n, 32);
    // MZ is `dec ebp; pop edx` in 32-bit code.
    assert.deepEqual(want.slice(0, 2), [
      [0x400000n, 'dec', 'ebp'],
      [0x400001n, 'pop', 'edx'],
    ]);
    assert.deepEqual(parseDisasm(disassemble(data, 0x400000n, 32)), want);
    const prologue = hex('55 89e5 83ec20 8b450c c3');
    assert.deepEqual(parseDisasm(disassemble(prologue, 0x400000n, 32)), llvmDisassembly(prologue, 0x400000n, 32));
  });

  it('disassembles a function prologue as LLVM does', { skip: needLlvm() }, async () => {
    const disassemble = await loadDisassembler();
    const want = llvmDisassembly(PROLOGUE, AT);
    assert.equal(want.length, 11);
    assert.deepEqual(parseDisasm(disassemble(PROLOGUE, AT)), want);
  });
});
