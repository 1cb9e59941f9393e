import type { PluginDefinition, RunWarning, VadNode, VirtualMemory, WindowsProcess } from '../api.ts';
import { codePreview, PREVIEW } from '../common/code-preview.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedProcesses } from './process-columns.ts';
import { dumpVad } from './vad-dump.ts';

const PAGE = 0x1000;
/** Most pages searched for data in one range (1 GiB); a larger range is taken as empty beyond it (LIMIT). */
const MAX_PAGES_SEARCHED = 1 << 18;

/** What the first two bytes suggest, as Volatility 3's malfind notes it. */
const NOTES: readonly (readonly [number, number, string])[] = [
  [0x4d, 0x5a, 'MZ header'],
  [0x55, 0x8b, 'PE header'],
  [0x55, 0x48, 'Function prologue'],
  [0x55, 0x89, 'Function prologue'],
];

export const malfind: PluginDefinition = {
  name: 'windows.malfind',
  description: 'Lists process memory ranges that potentially contain injected code.',
  version: '2.1.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Start VPN', type: 'hex', address: 'process' },
    { name: 'End VPN', type: 'hex', address: 'process' },
    { name: 'Tag', type: 'str' },
    { name: 'Protection', type: 'str' },
    { name: 'CommitCharge', type: 'int' },
    { name: 'PrivateMemory', type: 'int' },
    { name: 'File output', type: 'str' },
    { name: 'Notes', type: 'str' },
    { name: 'Hexdump', type: 'str' },
    // The preview's bytes disassembled as 64-bit code (32-bit in a WoW64 process), as Volatility prints capstone's
    // (../common/disassemble.ts); where the disassembler cannot be loaded, space-separated hex pairs: what Volatility
    // prints without capstone.
    { name: 'Disasm', type: 'str' },
  ],
  options: [PID_OPTION, { name: 'dump', type: 'bool', description: 'Extract injected VADs' }],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const dump = ctx.options['dump'] === true;
    const preview = codePreview(ctx);
    for await (const p of listedProcesses(ctx, kernel)) {
      const space = kernel.processSpace(p);
      for await (const v of kernel.vads(p)) {
        if (!suspicious(v)) continue;
        if (await isEmpty(space, v, () => ctx.warn(tooLarge(p, v)))) continue;
        const data = (await space.read(v.start, PREVIEW)) ?? new Uint8Array(PREVIEW);
        const note = NOTES.find(([a, b]) => data[0] === a && data[1] === b)?.[2] ?? null;
        const [hexdump, disasm] = await preview(data, v.start, p.wow64 ? 32 : 64);
        const output = dump ? await dumpVad(ctx, space, p, v, { failed: 'Error outputting to file' }) : 'Disabled';
        yield {
          depth: 0,
          values: [p.pid, p.name, v.start, v.end, v.tag, v.protection, v.commitCharge, v.privateMemory, output, note, hexdump, disasm],
        };
      }
    }
  },
};

/** Volatility's rule: writable and executable, and either a private short VAD ('VadS') or shared memory not mapped copy-on-write. */
function suspicious(v: VadNode): boolean {
  if (!v.protection.includes('EXECUTE') || !v.protection.includes('WRITE')) return false;
  return (v.privateMemory === 1 && v.tag === 'VadS') || (v.privateMemory === 0 && v.protection !== 'PAGE_EXECUTE_WRITECOPY');
}

/** Volatility's _is_vad_empty: no page of the range is both readable and not all zeros. */
async function isEmpty(space: VirtualMemory, v: VadNode, onLimit: () => void): Promise<boolean> {
  const pages = (v.end - v.start + 1n) / BigInt(PAGE);
  for (let i = 0n; i < pages; i++) {
    if (i >= BigInt(MAX_PAGES_SEARCHED)) {
      onLimit();
      return true;
    }
    const page = await space.read(v.start + i * BigInt(PAGE), PAGE);
    if (page?.some((b) => b !== 0)) return false;
  }
  return true;
}

function tooLarge(p: WindowsProcess, v: VadNode): RunWarning {
  return {
    code: 'LIMIT',
    message: `PID ${p.pid} (${p.name}): range 0x${v.start.toString(16)} holds more than ${MAX_PAGES_SEARCHED} pages: only the first were searched for data`,
  };
}
