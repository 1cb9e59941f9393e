/**
 * VAD protections: u.VadFlags.Protection is a 5-bit index into the kernel's MmProtectToValue array of PAGE_*
 * values, named as Volatility 3's windows.vadinfo names them (every winnt.h flag the value has, in winnt.h's order,
 * joined by '|'). The array is the same in every Windows build (the 3 low bits: the access, the 2 high bits: none,
 * NOCACHE, GUARD, WRITECOMBINE), so it is kept here as data rather than read from each image.
 */

/** winnt.h's PAGE_* flags, in the order Volatility 3 lists them. */
const WINNT_PROTECTIONS: readonly (readonly [string, number])[] = [
  ['PAGE_NOACCESS', 0x01],
  ['PAGE_READONLY', 0x02],
  ['PAGE_READWRITE', 0x04],
  ['PAGE_WRITECOPY', 0x08],
  ['PAGE_EXECUTE', 0x10],
  ['PAGE_EXECUTE_READ', 0x20],
  ['PAGE_EXECUTE_READWRITE', 0x40],
  ['PAGE_EXECUTE_WRITECOPY', 0x80],
  ['PAGE_GUARD', 0x100],
  ['PAGE_NOCACHE', 0x200],
  ['PAGE_WRITECOMBINE', 0x400],
  ['PAGE_TARGETS_INVALID', 0x40000000],
];

/** MmProtectToValue's first 8 entries: the access of the index's 3 low bits (MM_NOACCESS, MM_READONLY, MM_EXECUTE, ...). */
const ACCESS = [0x01, 0x02, 0x10, 0x20, 0x04, 0x08, 0x40, 0x80];
/** What the index's 2 high bits add (index 8, 16 and 24 are PAGE_NOACCESS alone). */
const MODIFIERS = [0, 0x200, 0x100, 0x400];

/** MmProtectToValue[index] for a 5-bit VAD protection index; 0 outside 0..31 (as Volatility does past the array). */
export function protectToValue(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index > 31) return 0;
  const access = index & 7;
  return access === 0 ? ACCESS[0]! : ACCESS[access]! | MODIFIERS[index >> 3]!;
}

/** "PAGE_EXECUTE_READWRITE", "PAGE_READWRITE|PAGE_GUARD"; "" when the value has no flag. */
export function protectionName(index: number): string {
  const value = protectToValue(index);
  return WINNT_PROTECTIONS.filter(([, mask]) => (value & mask) !== 0)
    .map(([name]) => name)
    .join('|');
}
