import type { StructView } from '../struct-view.ts';
import { objectName } from './object-header.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** _CM_KEY_CONTROL_BLOCK.Flags: the root key of a hive, whose name no path shows. */
const KEY_HIVE_ENTRY = 0x4;
/** Deeper than any registry path (Windows allows 512 levels). */
const MAX_KEY_DEPTH = 512;

/** The name Volatility 3's windows.handles gives a handle's object of `type` (body at `object`); null when unreadable. */
export async function handleObjectName(kernel: WindowsKernel, type: string, header: StructView, object: bigint): Promise<string | null> {
  switch (type) {
    case 'File':
      return fileName(kernel, object);
    case 'Process': {
      const p = await kernel.readStruct('_EPROCESS', object);
      return p && `${p.text('ImageFileName')} Pid ${p.u64('UniqueProcessId')}`;
    }
    case 'Thread': {
      if (!kernel.layout.has('_ETHREAD', 'Cid')) return null;
      const t = await kernel.readStruct('_ETHREAD', object);
      return t && `Tid ${t.u64('Cid.UniqueThread')} Pid ${t.u64('Cid.UniqueProcess')}`;
    }
    case 'Key':
      return keyName(kernel, object);
    default:
      return (await objectName(kernel, header)) ?? '';
  }
}

/** "\Device\<device object's name>" + FileName; FileName alone when the device has no readable name. */
async function fileName(kernel: WindowsKernel, object: bigint): Promise<string | null> {
  const file = await kernel.readStruct('_FILE_OBJECT', object);
  if (!file) return null;
  const name = await readUnicodeString(kernel.vm, file.raw('FileName'));
  const deviceObject = file.u64('DeviceObject');
  const bodyOffset = BigInt(kernel.layout.offset('_OBJECT_HEADER', 'Body'));
  const deviceHeader = deviceObject === 0n ? null : await kernel.readStruct('_OBJECT_HEADER', deviceObject - bodyOffset);
  const device = deviceHeader && (await objectName(kernel, deviceHeader));
  if (device === null) return name;
  return `\\Device\\${device}${name ?? ''}`;
}

/**
 * The key's path as Volatility 3 builds it: _CM_KEY_BODY.KeyControlBlock, then ParentKcb up to (not including) the
 * \REGISTRY root, each KCB's NameBlock name; a hive's root KCB (KEY_HIVE_ENTRY) stands for its parent, the hive's
 * link key, from Windows 10 1607 (_CM_KEY_BODY.Trans). Bounded and cycle-guarded: a broken chain gives the part read.
 */
async function keyName(kernel: WindowsKernel, object: bigint): Promise<string | null> {
  const { layout } = kernel;
  let kcb = await kernel.readPointer(object + BigInt(layout.offset('_CM_KEY_BODY', 'KeyControlBlock')));
  if (kcb === null) return null;
  const skipHiveEntry = layout.has('_CM_KEY_BODY', 'Trans');
  const parts: string[] = [];
  const seen = new Set<bigint>();
  let view = kcb === 0n ? null : await kernel.readStruct('_CM_KEY_CONTROL_BLOCK', kcb);
  while (view && view.u64('ParentKcb') !== 0n && seen.size < MAX_KEY_DEPTH && !seen.has(kcb)) {
    seen.add(kcb);
    if (skipHiveEntry && view.int('Flags') & KEY_HIVE_ENTRY) {
      kcb = view.u64('ParentKcb');
      view = await kernel.readStruct('_CM_KEY_CONTROL_BLOCK', kcb);
      if (!view) break;
    }
    const name = await nameBlock(kernel, view.u64('NameBlock'));
    if (name === null) break;
    parts.push(name);
    kcb = view.u64('ParentKcb');
    view = await kernel.readStruct('_CM_KEY_CONTROL_BLOCK', kcb);
  }
  return parts.reverse().join('\\');
}

/** A _CM_NAME_CONTROL_BLOCK's name: ASCII when Compressed (as the kernel keeps most), else UTF-16. */
async function nameBlock(kernel: WindowsKernel, address: bigint): Promise<string | null> {
  const block = await kernel.readStruct('_CM_NAME_CONTROL_BLOCK', address);
  if (!block) return null;
  const length = block.u16('NameLength');
  const bytes = length === 0 ? new Uint8Array(0) : await kernel.vm.read(address + BigInt(block.offsetOf('Name')), length);
  if (!bytes) return null;
  return new TextDecoder(block.int('Compressed') ? 'utf-8' : 'utf-16le').decode(bytes);
}
