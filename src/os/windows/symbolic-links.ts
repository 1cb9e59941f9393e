import { hex } from '../../io/hex.ts';
import type { ScanService } from '../../engine/scan-service.ts';
import type { SymbolicLink } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { filetimeToIso } from './filetime.ts';
import { objectName } from './object-header.ts';
import { scanTypedObjects } from './object-scan.ts';
import type { ScanProgress } from './pool-scan.ts';
import { readUnicodeString } from './unicode-string.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { SymbolicLink };

const LINK_KIND = { tag: 'Symb', struct: '_OBJECT_SYMBOLIC_LINK', type: 'SymbolicLink', what: 'symbolic link' } as const;

/** The link's name (its name header), target (LinkTarget) and creation time; null when the name or target is unreadable. */
async function linkOf(kernel: WindowsKernel, offset: bigint, view: StructView, header: StructView | null): Promise<SymbolicLink | null> {
  const name = header && (await objectName(kernel, header));
  const target = name === null ? null : await readUnicodeString(kernel.vm, view.raw('LinkTarget'));
  if (name === null || target === null) return null;
  return { offset, name, target, createTime: filetimeToIso(view.u64('CreationTime.QuadPart')) };
}

function unreadable(warn: Warn, offset: bigint): void {
  warn({ code: 'UNREADABLE', message: 'symbolic links whose name or target is not in the captured memory skipped', address: hex(offset) });
}

/** The _OBJECT_SYMBOLIC_LINK whose body is at `object`; null (with a warning) when it, its name or its target is unreadable. */
export async function readSymbolicLink(kernel: WindowsKernel, object: bigint, warn: Warn): Promise<SymbolicLink | null> {
  const view = await kernel.readStruct('_OBJECT_SYMBOLIC_LINK', object);
  const header = view && (await kernel.readStruct('_OBJECT_HEADER', object - BigInt(kernel.layout.offset('_OBJECT_HEADER', 'Body'))));
  const link = view && (await linkOf(kernel, object, view, header));
  if (!link) unreadable(warn, object);
  return link;
}

/**
 * _OBJECT_SYMBOLIC_LINKs found by a pool-tag scan ('Symb'), as Volatility 3's windows.symlinkscan lists them: links
 * deleted from their directory too. One whose name or target is unreadable is skipped with a warning.
 */
export async function* scanSymbolicLinks(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control?: ScanProgress,
): AsyncGenerator<SymbolicLink> {
  for await (const o of scanTypedObjects(kernel, scanner, warn, LINK_KIND, control)) {
    const link = await linkOf(kernel, o.offset, o.view, o.header);
    if (link) yield link;
    else unreadable(warn, o.offset);
  }
}
