import { hexPairs } from '../common/hex-pairs.ts';

/** Registry value types by number, named as Volatility 3 names them (REG_UNKNOWN for any other). */
const TYPE_NAMES = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
];

export function valueTypeName(type: number): string {
  return TYPE_NAMES[type] ?? 'REG_UNKNOWN';
}

/**
 * A value's data as printkey shows it (Volatility 3's rendering): integers in decimal (null when the size does not
 * fit the type), REG_BINARY as hex bytes, REG_MULTI_SZ as its strings one a line (each NUL a line break), other
 * types as UTF-16 text up to a final NUL — hex bytes when a NUL comes earlier. REG_NONE is empty.
 */
export function formatValueData(type: number, data: Uint8Array): string | null {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (valueTypeName(type)) {
    case 'REG_DWORD':
      return data.length === 4 ? String(dv.getUint32(0, true)) : null;
    case 'REG_DWORD_BIG_ENDIAN':
      return data.length === 4 ? String(dv.getUint32(0, false)) : null;
    case 'REG_QWORD':
      return data.length === 8 ? String(dv.getBigUint64(0, true)) : null;
    case 'REG_BINARY':
      return hexPairs(data);
    case 'REG_NONE':
      return '';
    default:
      break;
  }
  const text = new TextDecoder('utf-16le').decode(data);
  if (type === 7 && data.length / 2 - 1 <= text.length && text.length <= data.length / 2) return text.split('\0').join('\n');
  const first = text.split('\0')[0]!;
  return text.length - 1 <= first.length ? first : hexPairs(data);
}
