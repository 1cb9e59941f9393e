/**
 * How many of the ascending `sorted` values lie below `value` (with `orEqual`, at or below it): the index of the first
 * value at or after it (after it), found by binary search.
 */
export function countBelow(sorted: readonly number[], value: number, orEqual = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v < value || (orEqual && v === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
