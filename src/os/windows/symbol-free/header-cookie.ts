import type { VirtualMemory } from '../../../plugins/api/memory.ts';
import { STABLE_TYPES } from './stable-layouts.ts';

/**
 * The "Type" object type's index in ObTypeIndexTable: slots 0 and 1 are reserved and the type of types is
 * created first, on every Windows since 7.
 */
const TYPE_TYPE_INDEX = 2;
const BODY = STABLE_TYPES['_OBJECT_HEADER']!.fields['Body']!.offset;
const TYPE_INDEX = STABLE_TYPES['_OBJECT_HEADER']!.fields['TypeIndex']!.offset;
const OBJECT_TYPE_INDEX = STABLE_TYPES['_OBJECT_TYPE']!.fields['Index']!.offset;

/** The TypeIndex byte stored in an object's header and the address byte Windows 10 mixes into it. */
async function storedTypeIndex(vm: VirtualMemory, body: bigint): Promise<{ stored: number; addressByte: number } | null> {
  const header = body - BigInt(BODY);
  const stored = await vm.read(header + BigInt(TYPE_INDEX), 1);
  return stored && { stored: stored[0]!, addressByte: Number((header >> 8n) & 0xffn) };
}

/**
 * nt!ObHeaderCookie, which Windows 10+ XORs into every _OBJECT_HEADER.TypeIndex with byte 1 of the header's
 * address, found without symbols: the Process type object (nt!PsProcessType, an export) is itself an object of
 * the type of types, whose index is known; the cookie is what makes its header say so. Checked on the System
 * process, whose header must then decode to the Process type's own Index. null when either does not read or agree.
 */
export async function discoverHeaderCookie(vm: VirtualMemory, processType: bigint, systemProcess: bigint): Promise<number | null> {
  const typeObject = await storedTypeIndex(vm, processType);
  const processIndex = await vm.read(processType + BigInt(OBJECT_TYPE_INDEX), 1);
  const system = await storedTypeIndex(vm, systemProcess);
  if (!typeObject || !processIndex || !system) return null;
  const cookie = typeObject.stored ^ typeObject.addressByte ^ TYPE_TYPE_INDEX;
  return (system.stored ^ system.addressByte ^ cookie) === processIndex[0] ? cookie : null;
}
