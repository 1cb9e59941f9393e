import { cString } from '../c-string.ts';
import type { ProcessParameters, WindowsProcess } from '../../plugins/api/windows.ts';
import type { StructReader, VirtualMemory } from '../../plugins/api/memory.ts';
import { filetimeToIso } from './filetime.ts';
import type { WindowsKernel } from './windows-kernel.ts';
import { readUnicodeString } from './unicode-string.ts';

export type { ProcessParameters, WindowsProcess };

const EPROCESS = '_EPROCESS';
const MAX_PID = 0xffffffff;

export function processFromView(view: StructReader, offset: bigint | null, physical: number | null): WindowsProcess {
  const wow64Field = view.has('WoW64Process') ? 'WoW64Process' : view.has('Wow64Process') ? 'Wow64Process' : null;
  return {
    view,
    offset,
    physical,
    pid: Number(view.u64('UniqueProcessId') & BigInt(MAX_PID)),
    ppid: Number(view.u64('InheritedFromUniqueProcessId') & BigInt(MAX_PID)),
    name: cString(view.raw('ImageFileName')), // up to 15 bytes, decoded leniently (invalid bytes → U+FFFD)
    threads: view.u32('ActiveThreads'),
    createTime: filetimeToIso(view.u64('CreateTime')),
    // Tables discovered in the image may not know ExitTime (see symbol-free/process-offsets.ts).
    exitTime: view.has('ExitTime') ? filetimeToIso(view.u64('ExitTime')) : null,
    dtb: view.u64('Pcb.DirectoryTableBase'),
    wow64: wow64Field !== null && view.u64(wow64Field) !== 0n,
  };
}

export async function readProcess(kernel: WindowsKernel, address: bigint): Promise<WindowsProcess | null> {
  const view = await kernel.readStruct(EPROCESS, address);
  return view && processFromView(view, address, null);
}

/** Structural plausibility of an _EPROCESS found by scanning (the checks Volatility's is_valid makes, and more). */
export function looksLikeProcess(p: WindowsProcess, now = new Date()): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what marks a name as garbage
  if (p.name.length === 0 || p.name.includes('\ufffd') || /[\x00-\x1f]/.test(p.name)) return false;
  if (p.pid % 4 !== 0) return false;
  if ((p.dtb & ~0xfffn) === 0n || p.dtb >> 52n !== 0n) return false;
  const isSystem = p.pid === 4 && p.name === 'System';
  if (!isSystem) {
    if (!p.createTime) return false;
    const created = new Date(p.createTime);
    const maxYear = now.getUTCFullYear() + 10;
    if (created.getUTCFullYear() <= 1998 || created.getUTCFullYear() >= maxYear) return false;
    if (p.exitTime && (new Date(p.exitTime) < created || new Date(p.exitTime).getUTCFullYear() >= maxYear)) return false;
  }
  const threadList = p.view.u64('ThreadListHead');
  return threadList >= 0xffff800000000000n;
}

/** Handle count, when this Windows version keeps one in _HANDLE_TABLE (Windows 10 does not: null, like Volatility). */
export async function handleCount(kernel: WindowsKernel, p: WindowsProcess): Promise<number | null> {
  if (!kernel.layout.has('_HANDLE_TABLE', 'HandleCount')) return null;
  const table = p.view.u64('ObjectTable');
  if (table === 0n) return null;
  const v = await kernel.vm.readU32(table + BigInt(kernel.layout.offset('_HANDLE_TABLE', 'HandleCount')));
  return v;
}

/** SessionId from _MM_SESSION_SPACE; null for processes without a session (System, smss, Registry). */
export async function sessionId(kernel: WindowsKernel, p: WindowsProcess): Promise<number | null> {
  const session = p.view.u64('Session');
  if (session === 0n || !kernel.layout.has('_MM_SESSION_SPACE', 'SessionId')) return null;
  return kernel.vm.readU32(session + BigInt(kernel.layout.offset('_MM_SESSION_SPACE', 'SessionId')));
}

/** The process's address space and its PEB's _RTL_USER_PROCESS_PARAMETERS; null without a PEB or when unreadable. */
export async function userProcessParameters(
  kernel: WindowsKernel,
  p: WindowsProcess,
): Promise<{ space: VirtualMemory; params: StructReader } | null> {
  const peb = p.view.u64('Peb');
  if (peb === 0n) return null;
  const space = kernel.processLayer(p.dtb);
  const paramsPtr = await space.readU64(peb + BigInt(kernel.layout.offset('_PEB', 'ProcessParameters')));
  if (!paramsPtr) return null;
  const params = await kernel.readStruct('_RTL_USER_PROCESS_PARAMETERS', paramsPtr, space);
  return params && { space, params };
}

/** ImagePathName and CommandLine from the PEB in the process's own address space. */
export async function processParameters(kernel: WindowsKernel, p: WindowsProcess): Promise<ProcessParameters> {
  const user = await userProcessParameters(kernel, p);
  if (!user) return { imagePath: null, commandLine: null };
  const { space, params } = user;
  return {
    imagePath: await readUnicodeString(space, params.raw('ImagePathName')),
    commandLine: await readUnicodeString(space, params.raw('CommandLine')),
  };
}
