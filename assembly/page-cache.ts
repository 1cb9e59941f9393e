// Page-table pages loaded by the JS side, found by physical page number.
// Layout of the region handed to ptcInit: [keys: u64 × buckets][slots: u32 × buckets][pad to 4 KiB][data: 4 KiB × capacity].
// A key is the page number + 1 (0 marks an empty bucket); buckets ≥ 2 × capacity keeps probe chains short.

export const PAGE_SIZE: usize = 4096;

let keys: usize = 0;
let slots: usize = 0;
let data: usize = 0;
let capacity: u32 = 0;
let bucketMask: u32 = 0;
let used: u32 = 0;

function bucketCount(cap: u32): u32 {
  let n: u32 = 16;
  while (n < cap * 2) n <<= 1;
  return n;
}

function dataOffset(cap: u32): usize {
  const tables = <usize>bucketCount(cap) * 12;
  return (tables + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

@inline function bucketOf(page: u64): u32 {
  return <u32>((page * 0x9e3779b97f4a7c15) >> 32) & bucketMask;
}

/** Bytes the cache region needs for `cap` pages. */
export function ptcRegionSize(cap: u32): usize {
  return dataOffset(cap) + <usize>cap * PAGE_SIZE;
}

/** Places the cache at `base` (4 KiB aligned, ptcRegionSize(cap) bytes) and empties it. */
export function ptcInit(base: usize, cap: u32): void {
  const buckets = bucketCount(cap);
  keys = base;
  slots = base + <usize>buckets * 8;
  data = base + dataOffset(cap);
  capacity = cap;
  bucketMask = buckets - 1;
  ptcClear();
}

export function ptcClear(): void {
  memory.fill(keys, 0, <usize>(bucketMask + 1) * 8);
  used = 0;
}

const MAX_KEPT: u32 = 4;
const keptPages = memory.data(<i32>MAX_KEPT * 8);
const keptSlots = memory.data(<i32>MAX_KEPT * 4);

/** Empties the cache except for up to 4 pages (u64 page numbers at `pages`), which stay loaded. */
export function ptcClearExcept(pages: usize, n: u32): void {
  let kept: u32 = 0;
  for (let i: u32 = 0; i < n && kept < MAX_KEPT; i++) {
    const page = load<u64>(pages + (<usize>i << 3));
    const ptr = lookupPage(page);
    if (ptr == 0 || isKept(page, kept)) continue;
    const slot = <u32>((ptr - data) / PAGE_SIZE);
    let j = kept; // insertion sort by slot
    while (j > 0 && load<u32>(keptSlots + (<usize>(j - 1) << 2)) > slot) {
      store<u32>(keptSlots + (<usize>j << 2), load<u32>(keptSlots + (<usize>(j - 1) << 2)));
      store<u64>(keptPages + (<usize>j << 3), load<u64>(keptPages + (<usize>(j - 1) << 3)));
      j--;
    }
    store<u32>(keptSlots + (<usize>j << 2), slot);
    store<u64>(keptPages + (<usize>j << 3), page);
    kept++;
  }
  // Slots ascend, so moving page j down to slot j never overwrites a page still to be moved.
  for (let j: u32 = 0; j < kept; j++) {
    const slot = load<u32>(keptSlots + (<usize>j << 2));
    if (slot != j) memory.copy(data + <usize>j * PAGE_SIZE, data + <usize>slot * PAGE_SIZE, PAGE_SIZE);
  }
  ptcClear();
  for (let j: u32 = 0; j < kept; j++) ptcInsert(load<u64>(keptPages + (<usize>j << 3)));
}

export function ptcFree(): u32 {
  return capacity - used;
}

/** Pointer to the 4 KiB the caller must fill for `page`; 0 when the cache is full. */
export function ptcInsert(page: u64): usize {
  const key = page + 1;
  let b = bucketOf(page);
  while (true) {
    const k = load<u64>(keys + (<usize>b << 3));
    if (k == key) return data + <usize>load<u32>(slots + (<usize>b << 2)) * PAGE_SIZE;
    if (k == 0) break;
    b = (b + 1) & bucketMask;
  }
  if (used >= capacity) return 0;
  const slot = used++;
  store<u64>(keys + (<usize>b << 3), key);
  store<u32>(slots + (<usize>b << 2), slot);
  return data + <usize>slot * PAGE_SIZE;
}

function isKept(page: u64, kept: u32): bool {
  for (let j: u32 = 0; j < kept; j++) if (load<u64>(keptPages + (<usize>j << 3)) == page) return true;
  return false;
}

/** Pointer to the cached bytes of `page`, or 0 if it is not loaded. */
export function lookupPage(page: u64): usize {
  const key = page + 1;
  let b = bucketOf(page);
  while (true) {
    const k = load<u64>(keys + (<usize>b << 3));
    if (k == key) return data + <usize>load<u32>(slots + (<usize>b << 2)) * PAGE_SIZE;
    if (k == 0) return 0;
    b = (b + 1) & bucketMask;
  }
}
