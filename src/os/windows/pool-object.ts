import type { StructLayout } from '../struct-layout.ts';

/** Optional object headers in InfoMask bit order (bit 0 = CREATOR_INFO ... bit 7 = PADDING_INFO). */
const OPTIONAL_HEADERS = [
  '_OBJECT_HEADER_CREATOR_INFO',
  '_OBJECT_HEADER_NAME_INFO',
  '_OBJECT_HEADER_HANDLE_INFO',
  '_OBJECT_HEADER_QUOTA_INFO',
  '_OBJECT_HEADER_PROCESS_INFO',
  '_OBJECT_HEADER_AUDIT_INFO',
  '_OBJECT_HEADER_EXTENDED_INFO',
  '_OBJECT_HEADER_PADDING_INFO',
] as const;
const PADDING_BIT = 7;
const POOL_ALIGNMENT = 16;
const MAX_POINTER_COUNT = 0x1000000n;

/** Sizes of the optional headers this kernel knows (0 for those it does not have). */
export function optionalHeaderSizes(layout: StructLayout): number[] {
  return OPTIONAL_HEADERS.map((name) => layout.table.struct(name)?.size ?? 0);
}

/**
 * Where the _OBJECT_HEADER inside a pool allocation can be (Windows 8+ layout: pool header, optional headers
 * chosen by InfoMask, object header, body), nearest first: offsets in `data`, which starts right after the
 * _POOL_HEADER. A position is accepted only when the optional headers its InfoMask announces exactly fill the gap
 * before it. More than one can fit: a NAME_INFO whose Directory is NULL (the root directory, a name removed from its
 * directory) reads as an object header without optional headers at offset 0; the object type, checked by the
 * caller, tells them apart.
 */
export function* objectHeaderCandidates(layout: StructLayout, sizes: readonly number[], data: Uint8Array): Generator<number> {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const infoMaskOff = layout.offset('_OBJECT_HEADER', 'InfoMask');
  const pointerCountOff = layout.offset('_OBJECT_HEADER', 'PointerCount');
  const maxOptional = sizes.reduce((a, b) => a + b, 0);
  for (let at = 0; at <= maxOptional && at + layout.size('_OBJECT_HEADER') <= data.length; at += POOL_ALIGNMENT) {
    const pointerCount = dv.getBigInt64(at + pointerCountOff, true);
    if (pointerCount < 0n || pointerCount >= MAX_POINTER_COUNT) continue;
    const mask = data[at + infoMaskOff]!;
    let optional = 0;
    for (let bit = 0; bit < sizes.length; bit++) if (mask & (1 << bit)) optional += sizes[bit]!;
    if (mask & (1 << PADDING_BIT)) {
      // PADDING_INFO (first optional header) holds the total padding, which includes itself.
      const paddingAt = at - optional;
      if (paddingAt < 0) continue;
      optional += dv.getUint32(paddingAt, true) - sizes[PADDING_BIT]!;
    }
    if (optional === at) yield at;
  }
}
