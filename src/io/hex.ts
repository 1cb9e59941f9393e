/** `0x`-prefixed hex for offsets and addresses in messages. */
export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
