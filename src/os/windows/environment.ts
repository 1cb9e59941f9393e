import { hex } from '../../io/hex.ts';
import type { ProcessEnvironment, WindowsProcess } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { userProcessParameters } from './process.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { ProcessEnvironment };

/** Most bytes of an environment block read: far more than any real one holds. */
export const MAX_ENVIRONMENT_BYTES = 1 << 20;
const PAGE = 0x1000;

/**
 * The environment block of a process (PEB → ProcessParameters.Environment): UTF-16LE "NAME=value" strings, each
 * NUL-terminated, ended by an empty string. Read page by page up to that end, EnvironmentSize or
 * MAX_ENVIRONMENT_BYTES (a LIMIT warning when EnvironmentSize is larger); a page that is unreadable after the first
 * ends the block with an UNREADABLE warning. null without a PEB, parameters or block, or when the block's first
 * page is unreadable. Like Volatility 3, an entry is reported only with a name and a value — so the hidden per-drive
 * "=C:=C:\..." entries (the name is everything before the first '=') are left out — but, unlike it, the walk stops
 * at the block's end rather than decoding whatever follows up to EnvironmentSize, and an entry without '=' is
 * left out too.
 */
export async function processEnvironment(kernel: WindowsKernel, p: WindowsProcess, warn: Warn): Promise<ProcessEnvironment | null> {
  const user = await userProcessParameters(kernel, p);
  if (!user) return null;
  const { space, params } = user;
  const block = params.u64('Environment');
  if (block === 0n) return null;
  const declared = params.has('EnvironmentSize') ? params.u64('EnvironmentSize') : BigInt(MAX_ENVIRONMENT_BYTES);
  if (declared > BigInt(MAX_ENVIRONMENT_BYTES)) {
    warn({
      code: 'LIMIT',
      message: `environment block: EnvironmentSize ${hex(declared)} is over ${MAX_ENVIRONMENT_BYTES} bytes: read up to its end or that many`,
      address: hex(block),
    });
  }
  const limit = Number(declared > BigInt(MAX_ENVIRONMENT_BYTES) ? BigInt(MAX_ENVIRONMENT_BYTES) : declared);

  const bytes = new Uint8Array(limit);
  let length = 0;
  let end = -1;
  while (length < limit && end < 0) {
    const at = block + BigInt(length);
    const chunk = await space.read(at, Math.min(PAGE - Number(at % BigInt(PAGE)), limit - length));
    if (!chunk) {
      if (length === 0) return null;
      warn({ code: 'UNREADABLE', message: `environment block unreadable after ${length} bytes: variables truncated`, address: hex(at) });
      break;
    }
    bytes.set(chunk, length);
    end = blockEnd(bytes, length - (length % 2), length + chunk.length);
    length += chunk.length;
  }
  const text = new TextDecoder('utf-16le').decode(bytes.subarray(0, end < 0 ? length - (length % 2) : end));
  return { block, variables: parseVariables(text) };
}

/**
 * Where the block ends: the offset of the NUL of its final empty string (a NUL right after another NUL, or at
 * the start), searching the code units in bytes[from, to); -1 when not found yet.
 */
function blockEnd(bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 1 < to; i += 2) {
    if (bytes[i] !== 0 || bytes[i + 1] !== 0) continue;
    if (i === 0 || (bytes[i - 2] === 0 && bytes[i - 1] === 0)) return i;
  }
  return -1;
}

function parseVariables(text: string): [string, string][] {
  const variables: [string, string][] = [];
  for (const entry of text.split('\0')) {
    const split = entry.indexOf('=');
    if (split <= 0 || split === entry.length - 1) continue;
    variables.push([entry.slice(0, split), entry.slice(split + 1)]);
  }
  return variables;
}
