/**
 * An oracle for x86-64 disassembly that shares nothing with memscope's (capstone-wasm): LLVM's own tools. The bytes
 * are assembled as `.byte`s into an object (llvm-mc) and disassembled with Intel syntax at the given address
 * (llvm-objdump); the listing ends at the first `<unknown>`, where capstone stops. Both sides compare as
 * [address, mnemonic, operands] with numbers normalized (capstone writes 1..9 in decimal and the rest in hex, LLVM 14
 * decimal unless --print-imm-hex, which it applies to immediates only).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataRequired, MISSING_DATA } from './test-data.ts';

export type Instruction = readonly [address: bigint, mnemonic: string, operands: string];

const TOOLS = ['llvm-mc', 'llvm-objdump'];
let failedOnce = false;

/** A node:test `skip` value: false when LLVM's tools are installed, else the reason (a failing test too with CI=true). */
export function needLlvm(): string | false {
  const tool = TOOLS.find((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
  if (!tool) return false;
  const reason = `${MISSING_DATA} the ${tool} command is not installed (Debian: apt-get install llvm)`;
  if (dataRequired() && !failedOnce) {
    failedOnce = true;
    test('LLVM is installed (CI=true)', () => {
      throw new Error(reason);
    });
  }
  return reason;
}

/** LLVM's disassembly of `data` as 64-bit (or 32-bit) code at `address`, up to the first bytes it cannot decode. */
export function llvmDisassembly(data: Uint8Array, address: bigint, bits: 32 | 64 = 64): Instruction[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-llvm-'));
  try {
    const object = join(dir, 'code.o');
    const source = `.text\n.byte ${[...data].map((b) => `0x${b.toString(16)}`).join(', ')}\n`;
    run('llvm-mc', ['-filetype=obj', `-triple=${bits === 64 ? 'x86_64' : 'i386'}`, '-o', object], source);
    const listing = run('llvm-objdump', ['-d', '-M', 'intel', '--no-show-raw-insn', `--adjust-vma=0x${address.toString(16)}`, object]);
    const instructions: Instruction[] = [];
    for (const line of listing.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s*\t(.*)$/.exec(line);
      if (!m) continue;
      // Without LLVM's annotations: `# 0x…` comments (RIP-relative targets) and `<.text+0x…>` (branch targets).
      const [mnemonic = '', operands = ''] = m[2]!
        .replace(/\s*#.*$/, '')
        .replace(/\s+<[^>]*>$/, '')
        .split('\t');
      if (mnemonic === '<unknown>') break;
      instructions.push([BigInt(`0x${m[1]}`), mnemonic, normalizeNumbers(operands)]);
    }
    return instructions;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Volatility's Disasm text ("\n0x<address>:\t<mnemonic>\t<operands>" per instruction) as instructions. */
export function parseDisasm(text: string): Instruction[] {
  if (text === '') return [];
  assert(text.startsWith('\n'), `a disassembly starts with a newline: ${JSON.stringify(text.slice(0, 40))}`);
  return text
    .slice(1)
    .split('\n')
    .map((line) => {
      const m = /^0x([0-9a-f]+):\t([^\t]+)\t(.*)$/.exec(line);
      assert(m, `not "0x<address>:\\t<mnemonic>\\t<operands>": ${JSON.stringify(line)}`);
      return [BigInt(`0x${m[1]}`), m[2]!, normalizeNumbers(m[3]!)] as const;
    });
}

function normalizeNumbers(operands: string): string {
  return operands.replace(/\b(0x[0-9a-f]+|\d+)\b/g, (n) => BigInt(n).toString());
}

function run(command: string, args: string[], input?: string): string {
  const r = spawnSync(command, args, { input, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
