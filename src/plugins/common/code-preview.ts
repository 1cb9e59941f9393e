import type { PluginContext } from '../api.ts';
import { loadDisassembler, type Disassemble } from './disassemble.ts';
import { hexPairs } from './hex-pairs.ts';

/** How much of a suspicious range malfind shows. */
export const PREVIEW = 64;

/** The Hexdump and Disasm cells of malfind's preview of `data`, read at `address`. */
export type CodePreview = (data: Uint8Array, address: bigint, bits: 32 | 64) => Promise<[hexdump: string, disasm: string]>;

/**
 * Malfind's preview cells for one run. The disassembler is loaded at the first preview, so a run that finds nothing
 * never loads it; where it cannot be loaded, one warning and Disasm holds the bytes as hex pairs (what Volatility
 * prints without capstone).
 */
export function codePreview(ctx: PluginContext): CodePreview {
  let disassembler: Promise<Disassemble | undefined> | undefined;
  return async (data, address, bits) => {
    disassembler ??= loadDisassembler().catch((e: unknown) => {
      ctx.warn({
        code: 'UNSUPPORTED',
        message: `the disassembler could not be loaded (${e instanceof Error ? e.message : String(e)}): Disasm holds the bytes as hex pairs`,
      });
      return undefined;
    });
    const disassemble = await disassembler;
    return [hexdump(data), disassemble ? disassemble(data, address, bits) : hexPairs(data)];
  };
}

/** Volatility's hexdump: a leading newline, 16 bytes a line as hex pairs followed by their printable characters. */
export function hexdump(data: Uint8Array, width = 16): string {
  const lines: string[] = [];
  for (let at = 0; at < data.length; at += width) {
    const chunk = [...data.subarray(at, at + width)];
    const pairs = chunk.map((b) => `${b.toString(16).padStart(2, '0')} `).join('');
    const text = chunk.map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('');
    lines.push(pairs + '   '.repeat(width - chunk.length) + text);
  }
  return `\n${lines.join('\n')}`;
}
