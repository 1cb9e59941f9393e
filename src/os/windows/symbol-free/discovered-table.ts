/**
 * A symbol table for a Windows kernel with no symbol file: the structures every Windows 10/11 x64 build shares
 * (stable-layouts.ts), the _EPROCESS offsets found in the image (process-discovery.ts) and the globals the kernel
 * exports or the process list gives away, as an ISF (so it reads through the same code as any symbol file, and can
 * be saved as one). Only what the process plugins read: the others say which structure the table lacks.
 */
import type { VirtualLayer } from '../../../layers/virtual-layer.ts';
import type { Warn } from '../../../plugins/plugin.ts';
import { parseIsf, type IsfSymbolTable } from '../../../symbols/isf-table.ts';
import type { SymbolTable, TypeDescriptor } from '../../../symbols/symbol-table.ts';
import { KUSER_SHARED_DATA } from '../dtb-locator.ts';
import type { IdentifiedKernelImage } from '../kernel-locator.ts';
import { discoverHeaderCookie } from './header-cookie.ts';
import { readExports } from './kernel-exports.ts';
import { discoverProcessOffsets, type DiscoveredProcesses } from './process-discovery.ts';
import type { ProcessOffsets } from './process-offsets.ts';
import {
  BASE_TYPES,
  POINTER,
  STABLE_ENUMS,
  STABLE_TYPES,
  U32,
  U64,
  U8,
  array,
  layout,
  pointerTo,
  struct,
  union,
  type IsfStruct,
} from './stable-layouts.ts';

/** ntoskrnl's data exports the table takes (each where the kernel has it). */
const EXPORTS = ['PsInitialSystemProcess', 'PsLoadedModuleList', 'PsProcessType', 'PsThreadType', 'KeNumberProcessors', 'NtBuildNumber'];
const NT_BUILD_NUMBER = STABLE_TYPES['_KUSER_SHARED_DATA']!.fields['NtBuildNumber']!.offset;
const AMD64 = 0x8664;

export interface DiscoveredSymbols {
  readonly table: IsfSymbolTable;
  readonly source: DiscoveredProcesses['source'];
  readonly build: number | null;
  /** nt!ObHeaderCookie's value (its address stays unknown); null when the image does not give it. */
  readonly headerCookie: number | null;
}

/** null when the image does not give the System process and its list (the caller asks for a symbol file). */
export async function discoverKernelSymbols(
  vm: VirtualLayer,
  image: IdentifiedKernelImage,
  dtb: number,
  processSpace: (dtb: bigint) => VirtualLayer,
  warn: Warn,
): Promise<DiscoveredSymbols | null> {
  const exports = await readExports(vm, image.base, new Set(EXPORTS));
  const initial = exports.get('PsInitialSystemProcess');
  const systemProcess = initial === undefined ? null : await vm.readU64(image.base + BigInt(initial));
  if (systemProcess === null) return null;
  const buildNumber = await vm.readU32(KUSER_SHARED_DATA + BigInt(NT_BUILD_NUMBER));
  const build = buildNumber === null ? null : buildNumber & 0xffff;
  const found = await discoverProcessOffsets({
    vm,
    processSpace,
    kernelBase: image.base,
    kernelSize: image.pe.sizeOfImage,
    dtb,
    systemProcess,
    build,
    warn,
  });
  if (!found) return null;
  const processType = exports.get('PsProcessType');
  const processTypeObject = processType === undefined ? null : await vm.readU64(image.base + BigInt(processType));
  const headerCookie = processTypeObject === null ? null : await discoverHeaderCookie(vm, processTypeObject, systemProcess);
  if (headerCookie === null) warn({ code: 'UNSUPPORTED', message: 'nt!ObHeaderCookie could not be found: pool scans cannot check object types' });
  const symbols = { ...Object.fromEntries(exports), PsActiveProcessHead: found.activeProcessHeadRva };
  const how = found.source === 'known' ? `the known layout of build ${build} confirmed` : 'offsets found by search';
  const origin = `discovered from the image (no symbol file; ${how})`;
  const json = isfJson(image, found.offsets, symbols);
  const table = parseIsf(JSON.stringify(json), 'discovered symbols', origin);
  discoveredJson.set(table, json);
  return { table, source: found.source, build, headerCookie };
}

export type DiscoveredIsf = ReturnType<typeof isfJson>;

/** The ISF each discovered table was read from (to save it as a file). */
const discoveredJson = new WeakMap<SymbolTable, DiscoveredIsf>();

/** The ISF a table was discovered as; undefined for a table from a symbol file. */
export function discoveredIsf(table: SymbolTable): DiscoveredIsf | undefined {
  return discoveredJson.get(table);
}

/** The table as Volatility 3 ISF JSON. */
function isfJson(image: IdentifiedKernelImage, o: ProcessOffsets, symbols: Readonly<Record<string, number>>) {
  return {
    metadata: {
      format: '6.2.0',
      producer: { name: 'memscope', version: 'symbol-free discovery' },
      windows: { pdb: { GUID: image.pdb.guid, age: image.pdb.age, database: image.pdb.pdbName, machine_type: AMD64 } },
    },
    base_types: BASE_TYPES,
    enums: STABLE_ENUMS,
    user_types: { ...STABLE_TYPES, _KPROCESS: kprocess(o), _EPROCESS: eprocess(o) },
    symbols: Object.fromEntries(Object.entries(symbols).map(([name, rva]) => [name, { address: rva }])),
  };
}

function kprocess(o: ProcessOffsets): IsfStruct {
  return layout(o.directoryTableBase + 8, [
    ['Header', 0, struct('_DISPATCHER_HEADER')],
    ['DirectoryTableBase', o.directoryTableBase, U64],
  ]);
}

function eprocess(o: ProcessOffsets): IsfStruct {
  const fields: [string, number, TypeDescriptor][] = [
    ['Pcb', 0, struct('_KPROCESS')],
    ['UniqueProcessId', o.uniqueProcessId, POINTER],
    ['ActiveProcessLinks', o.activeProcessLinks, struct('_LIST_ENTRY')],
    ['CreateTime', o.createTime, union('_LARGE_INTEGER')],
    ['InheritedFromUniqueProcessId', o.inheritedFromUniqueProcessId, POINTER],
    ['Peb', o.peb, pointerTo('_PEB')],
    ['Session', o.session, pointerTo('_MM_SESSION_SPACE')],
    ['ObjectTable', o.objectTable, POINTER],
    ['WoW64Process', o.wow64Process, POINTER],
    ['ImageFileName', o.imageFileName, array(15, U8)],
    ['SeAuditProcessCreationInfo', o.seAuditProcessCreationInfo, struct('_SE_AUDIT_PROCESS_CREATION_INFO')],
    ['ThreadListHead', o.threadListHead, struct('_LIST_ENTRY')],
    ['ActiveThreads', o.activeThreads, U32],
  ];
  if (o.exitTime !== null) fields.push(['ExitTime', o.exitTime, union('_LARGE_INTEGER')]);
  if (o.token !== null) fields.push(['Token', o.token, struct('_EX_FAST_REF')]);
  const end = Math.max(...fields.map(([, offset]) => offset + 0x10));
  return layout(end, fields);
}
