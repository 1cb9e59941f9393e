/**
 * Structures whose field offsets every Windows 10/11 x64 build shares, as ISF type descriptions: the user-mode
 * loader and process-parameter structures (an ABI user code compiles against), KUSER_SHARED_DATA (a fixed
 * page read by user code), the kernel headers the process structures start with, and the pool and object headers
 * every executive object sits behind. The offsets are those of
 * the 17763, 19041 and 22000 kernels' PDBs (test/node/symbol-free-layouts.test.ts checks them against the ISFs);
 * sizes are the smallest of those, enough to hold every field described. Only the fields memscope reads.
 */
import type { TypeDescriptor } from '../../../symbols/symbol-table.ts';

type IsfFieldType = TypeDescriptor;
/** A structure as an ISF file's user_types entry describes it. */
export interface IsfStruct {
  readonly kind: 'struct' | 'union';
  readonly size: number;
  readonly fields: Readonly<Record<string, { readonly offset: number; readonly type: TypeDescriptor }>>;
}
export interface IsfBaseType {
  readonly kind: 'int' | 'char' | 'void';
  readonly size: number;
  readonly signed: boolean;
  readonly endian: 'little';
}
export interface IsfEnum {
  readonly base: string;
  readonly size: number;
  readonly constants: Readonly<Record<string, number>>;
}

const base = (name: string): IsfFieldType => ({ kind: 'base', name });
export const U8 = base('unsigned char');
export const U16 = base('unsigned short');
export const U32 = base('unsigned long');
export const U64 = base('unsigned long long');
export const POINTER: IsfFieldType = { kind: 'pointer', subtype: base('void') };
export const struct = (name: string): IsfFieldType => ({ kind: 'struct', name });
export const union = (name: string): IsfFieldType => ({ kind: 'union', name });
/** A pointer to a structure (Volatility follows these; memscope reads them as addresses). */
export const pointerTo = (name: string): IsfFieldType => ({ kind: 'pointer', subtype: struct(name) });
export const array = (count: number, subtype: IsfFieldType): IsfFieldType => ({ kind: 'array', count, subtype });
const bits = (bit_position: number, bit_length: number, type: IsfFieldType): IsfFieldType => ({ kind: 'bitfield', bit_position, bit_length, type });

/** A struct (or union) from [name, offset, type] triples. */
export function layout(size: number, fields: readonly (readonly [string, number, IsfFieldType])[], kind: IsfStruct['kind'] = 'struct'): IsfStruct {
  return { kind, size, fields: Object.fromEntries(fields.map(([name, offset, type]) => [name, { offset, type }])) };
}

export const BASE_TYPES: Readonly<Record<string, IsfBaseType>> = {
  'unsigned char': { kind: 'char', size: 1, signed: false, endian: 'little' },
  'unsigned short': { kind: 'int', size: 2, signed: false, endian: 'little' },
  'unsigned long': { kind: 'int', size: 4, signed: false, endian: 'little' },
  'unsigned long long': { kind: 'int', size: 8, signed: false, endian: 'little' },
  int: { kind: 'int', size: 4, signed: true, endian: 'little' },
  long: { kind: 'int', size: 4, signed: true, endian: 'little' },
  'long long': { kind: 'int', size: 8, signed: true, endian: 'little' },
  wchar: { kind: 'char', size: 2, signed: false, endian: 'little' },
  void: { kind: 'void', size: 0, signed: false, endian: 'little' },
  pointer: { kind: 'int', size: 8, signed: false, endian: 'little' },
};

export const STABLE_ENUMS: Readonly<Record<string, IsfEnum>> = {
  _NT_PRODUCT_TYPE: { base: 'int', size: 4, constants: { NtProductWinNt: 1, NtProductLanManNt: 2, NtProductServer: 3 } },
};

export const STABLE_TYPES: Readonly<Record<string, IsfStruct>> = {
  _LIST_ENTRY: layout(0x10, [
    ['Flink', 0, pointerTo('_LIST_ENTRY')],
    ['Blink', 8, pointerTo('_LIST_ENTRY')],
  ]),
  _UNICODE_STRING: layout(0x10, [
    ['Length', 0, U16],
    ['MaximumLength', 2, U16],
    ['Buffer', 8, { kind: 'pointer', subtype: base('wchar') }],
  ]),
  _LARGE_INTEGER: layout(
    8,
    [
      ['LowPart', 0, U32],
      ['HighPart', 4, base('long')],
      ['QuadPart', 0, base('long long')],
    ],
    'union',
  ),
  _OBJECT_NAME_INFORMATION: layout(0x10, [['Name', 0, struct('_UNICODE_STRING')]]),
  _KSYSTEM_TIME: layout(0xc, [
    ['LowPart', 0, U32],
    ['High1Time', 4, U32],
    ['High2Time', 8, U32],
  ]),
  _KUSER_SHARED_DATA: layout(0x710, [
    ['SystemTime', 0x14, struct('_KSYSTEM_TIME')],
    ['NtSystemRoot', 0x30, array(260, base('wchar'))],
    ['NtBuildNumber', 0x260, U32],
    ['NtProductType', 0x264, { kind: 'enum', name: '_NT_PRODUCT_TYPE' }],
    ['NtMajorVersion', 0x26c, U32],
    ['NtMinorVersion', 0x270, U32],
  ]),
  _PEB: layout(0x7c8, [
    ['BeingDebugged', 2, U8],
    ['ImageBaseAddress', 0x10, POINTER],
    ['Ldr', 0x18, pointerTo('_PEB_LDR_DATA')],
    ['ProcessParameters', 0x20, pointerTo('_RTL_USER_PROCESS_PARAMETERS')],
  ]),
  _RTL_USER_PROCESS_PARAMETERS: layout(0x420, [
    ['ImagePathName', 0x60, struct('_UNICODE_STRING')],
    ['CommandLine', 0x70, struct('_UNICODE_STRING')],
    ['Environment', 0x80, POINTER],
    ['EnvironmentSize', 0x3f0, U64],
  ]),
  _PEB_LDR_DATA: layout(0x58, [
    ['InLoadOrderModuleList', 0x10, struct('_LIST_ENTRY')],
    ['InMemoryOrderModuleList', 0x20, struct('_LIST_ENTRY')],
    ['InInitializationOrderModuleList', 0x30, struct('_LIST_ENTRY')],
  ]),
  _LDR_DATA_TABLE_ENTRY: layout(0x120, [
    ['InLoadOrderLinks', 0, struct('_LIST_ENTRY')],
    ['InMemoryOrderLinks', 0x10, struct('_LIST_ENTRY')],
    ['InInitializationOrderLinks', 0x20, struct('_LIST_ENTRY')],
    ['DllBase', 0x30, POINTER],
    ['EntryPoint', 0x38, POINTER],
    ['SizeOfImage', 0x40, U32],
    ['FullDllName', 0x48, struct('_UNICODE_STRING')],
    ['BaseDllName', 0x58, struct('_UNICODE_STRING')],
    ['DdagNode', 0x98, pointerTo('_LDR_DDAG_NODE')],
    ['LoadTime', 0x100, union('_LARGE_INTEGER')],
  ]),
  _LDR_DDAG_NODE: layout(0x50, [['LoadCount', 0x18, U32]]),
  _MM_SESSION_SPACE: layout(0x3c0, [['SessionId', 8, U32]]),
  _DISPATCHER_HEADER: layout(0x18, [['Type', 0, U8]]),
  _SE_AUDIT_PROCESS_CREATION_INFO: layout(8, [['ImageFileName', 0, pointerTo('_OBJECT_NAME_INFORMATION')]]),
  /** A pointer whose low 4 bits count references (_EPROCESS.Token). */
  _EX_FAST_REF: layout(8, [
    ['Object', 0, POINTER],
    ['RefCnt', 0, bits(0, 4, U64)],
    ['Value', 0, U64],
  ]),
  _POOL_HEADER: layout(0x10, [
    ['PreviousSize', 0, bits(0, 8, U16)],
    ['PoolIndex', 0, bits(8, 8, U16)],
    ['BlockSize', 2, bits(0, 8, U16)],
    ['PoolType', 2, bits(8, 8, U16)],
    ['PoolTag', 4, U32],
  ]),
  _OBJECT_HEADER: layout(0x38, [
    ['PointerCount', 0, U64],
    ['HandleCount', 8, U64],
    ['TypeIndex', 0x18, U8],
    ['InfoMask', 0x1a, U8],
    ['Body', 0x30, U64],
  ]),
  // The optional headers before an object header: only their sizes matter (InfoMask bit order).
  _OBJECT_HEADER_CREATOR_INFO: layout(0x20, []),
  _OBJECT_HEADER_NAME_INFO: layout(0x20, []),
  _OBJECT_HEADER_HANDLE_INFO: layout(0x10, []),
  _OBJECT_HEADER_QUOTA_INFO: layout(0x20, []),
  _OBJECT_HEADER_PROCESS_INFO: layout(0x10, []),
  _OBJECT_HEADER_AUDIT_INFO: layout(0x10, []),
  _OBJECT_HEADER_EXTENDED_INFO: layout(0x10, []),
  _OBJECT_HEADER_PADDING_INFO: layout(4, []),
  _OBJECT_TYPE: layout(0xd8, [
    ['Name', 0x10, struct('_UNICODE_STRING')],
    ['Index', 0x28, U8],
    ['Key', 0xc0, U32],
  ]),
};
