import type { ScanService } from '../../engine/scan-service.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { StructView } from '../struct-view.ts';
import { objectTypeIndex } from './object-header.ts';
import { scanPoolObjects, type ScanProgress } from './pool-scan.ts';
import { poolTags } from './pool-tag-index.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** One kind of executive object a pool scan looks for by its type's name. */
export interface TypedObjectKind {
  /** The pool tag ('File'; the protected-bit variant is scanned for too). */
  readonly tag: string;
  /** The body's structure ('_FILE_OBJECT'). */
  readonly struct: string;
  /** The object type's name in ObTypeIndexTable ('File'). */
  readonly type: string;
  /** For the progress text: "file object". */
  readonly what: string;
}

/** A carved object whose header's type was checked: its body and its kernel virtual address. */
export interface TypedObject {
  readonly view: StructView;
  readonly offset: bigint;
  readonly physical: number;
  /** Its _OBJECT_HEADER (for the name header). */
  readonly header: StructView | null;
}

/**
 * Pool-tag scan of physical memory for objects of one type, as Volatility 3's poolscanner finds them on Windows 8+
 * (tag, object header found after the optional headers, TypeIndex decoded and compared with the type's index), each
 * body once. Only objects in pages the kernel maps can have their type checked: the others are skipped with one
 * counted warning.
 */
export async function* scanTypedObjects(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  kind: TypedObjectKind,
  control: ScanProgress = {},
): AsyncGenerator<TypedObject> {
  if ((await objectTypeIndex(kernel, kind.type)) === null) {
    warn({
      code: 'UNSUPPORTED',
      message: `ObTypeIndexTable names no '${kind.type}' type (unreadable?): ${kind.what}s cannot be told from other allocations, none listed`,
    });
    return;
  }
  const poolKind = { tags: poolTags(kind.tag), struct: kind.struct, what: kind.what, typeIndex: (k: WindowsKernel) => objectTypeIndex(k, kind.type) };
  const bodyOffset = BigInt(kernel.layout.offset('_OBJECT_HEADER', 'Body'));
  for await (const o of scanPoolObjects(kernel, scanner, warn, poolKind, control)) {
    if (o.offset === null) {
      warn({
        code: 'UNREADABLE',
        message: `'${kind.tag}' allocations in pages the kernel does not map skipped: their object type cannot be checked`,
      });
      continue;
    }
    yield { view: o.view, offset: o.offset, physical: o.physical, header: await kernel.readStruct('_OBJECT_HEADER', o.offset - bodyOffset) };
  }
}
