// x86-64 4-level page-table walks over page-table pages cached in linear memory (see page-cache.ts).
// A walk that needs a page the cache lacks reports it as missing; the JS side loads it and calls again.
import { lookupPage, PAGE_SIZE } from './page-cache';

const FRAME_MASK: u64 = 0x000f_ffff_ffff_f000; // bits 12..51
const PRESENT: u64 = 1;
const LARGE_PAGE: u64 = 1 << 7;
const PROTOTYPE: u64 = 1 << 10;
const TRANSITION: u64 = 1 << 11;
const INDEX_SPACE_HALF: u64 = 1 << 47;
const HIGH_HALF_BITS: u64 = 0xffff_0000_0000_0000;

/** Bit in `flags`: interpret invalid entries the Windows way (transition pages, prototype PTEs). */
export const FLAG_WINDOWS: u32 = 1;

// Status of a translation record, and result codes of enumerate: exported (see index.ts), so that the JS side
// (src/layers/wasm-module.ts, WalkStatus / EnumerateCode) checks its copy against them when it loads the module.
export const PENDING: u32 = 0;
export const MAPPED: u32 = 1;
export const TRANSITION_PAGE: u32 = 2;
export const NOT_PRESENT: u32 = 3;
export const PROTOTYPE_PTE: u32 = 4;
export const NON_CANONICAL: u32 = 5;
export const MISSING: u32 = 6;

export const ENUM_DONE: u32 = 0;
export const ENUM_MISSING: u32 = 1;
export const ENUM_OUTPUT_FULL: u32 = 2;
export const ENUM_BUDGET: u32 = 3;

/** Entries visited per enumerate call, so that one call stays short even on hostile tables. */
const WORK_BUDGET: u32 = 1 << 20;

@inline function levelShift(level: i32): u64 {
  return <u64>(3 + 9 * level); // level 1 (PT): 12, 2 (PD): 21, 3 (PDPT): 30, 4 (PML4): 39
}

@inline function isCanonical(v: u64): bool {
  const top = v >> 47;
  return top == 0 || top == 0x1ffff;
}

/** The entry leads somewhere: present, or (Windows) a transition entry whose frame is still in RAM. */
@inline function isUsable(e: u64, windows: bool): bool {
  return (e & PRESENT) != 0 || (windows && (e & (TRANSITION | PROTOTYPE)) == TRANSITION);
}

/** A PS-bit mapping: only in present PDPTEs (1 GiB) and PDEs (2 MiB); in transition entries bit 7 is protection. */
@inline function isLargePage(e: u64, level: i32): bool {
  return (level == 2 || level == 3) && (e & (PRESENT | LARGE_PAGE)) == (PRESENT | LARGE_PAGE);
}

// ---------------------------------------------------------------------------------------------
// Batch translation.
// vaddrs: u64 × n. recs: 16 bytes × n — value u64 @0, status u32 @8, aux u32 @12.
// In: status PENDING (walk from the root) or MISSING (resume at table `value`, level `aux`);
// other records are left alone. Out: MAPPED/TRANSITION_PAGE → value = physical address, aux = page shift;
// PROTOTYPE_PTE/NOT_PRESENT → value = the entry that stopped the walk (0 if none), aux = its level
// (an entry whose frame or table lies beyond physSize counts as not present);
// MISSING → value = physical address of the table page to load, aux = its level.
// Returns how many records are MISSING.
export function translateBatch(vaddrs: usize, recs: usize, n: u32, dtb: u64, flags: u32, physSize: u64): u32 {
  const windows = (flags & FLAG_WINDOWS) != 0;
  let missing: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const rec = recs + (<usize>i << 4);
    const status = load<u32>(rec, 8);
    let table: u64;
    let level: i32;
    const v = load<u64>(vaddrs + (<usize>i << 3));
    if (status == PENDING) {
      if (!isCanonical(v)) {
        setRecord(rec, 0, NON_CANONICAL, 0);
        continue;
      }
      table = dtb & FRAME_MASK;
      level = 4;
      if (table + PAGE_SIZE > physSize) {
        setRecord(rec, 0, NOT_PRESENT, 4);
        continue;
      }
    } else if (status == MISSING) {
      table = load<u64>(rec);
      level = load<i32>(rec, 12);
    } else {
      continue;
    }
    while (true) {
      const ptr = lookupPage(table >> 12);
      if (ptr == 0) {
        setRecord(rec, table, MISSING, level);
        missing++;
        break;
      }
      const shift = levelShift(level);
      const e = load<u64>(ptr + (<usize>((v >> shift) & 511) << 3));
      if (!isUsable(e, windows)) {
        const proto = windows && level == 1 && (e & (PRESENT | PROTOTYPE)) == PROTOTYPE;
        setRecord(rec, e, proto ? PROTOTYPE_PTE : NOT_PRESENT, level);
        break;
      }
      if (level == 1 || isLargePage(e, level)) {
        const pageMask: u64 = (<u64>1 << shift) - 1;
        const paddr = (e & FRAME_MASK & ~pageMask) | (v & pageMask);
        if (paddr >= physSize) setRecord(rec, e, NOT_PRESENT, level);
        else setRecord(rec, paddr, (e & PRESENT) != 0 ? MAPPED : TRANSITION_PAGE, <i32>shift);
        break;
      }
      table = e & FRAME_MASK;
      level--;
      if (table + PAGE_SIZE > physSize) {
        setRecord(rec, e, NOT_PRESENT, level + 1);
        break;
      }
    }
  }
  return missing;
}

@inline function setRecord(rec: usize, value: u64, status: u32, aux: i32): void {
  store<u64>(rec, value);
  store<u32>(rec, status, 8);
  store<i32>(rec, aux, 12);
}

// ---------------------------------------------------------------------------------------------
// Enumeration of mapped pages.
// Addresses are indexes in the 48-bit canonical space: index = vaddr & (2^48 - 1); index ≥ 2^47 is the high half.
// Output runs: 32 bytes each — vaddr u64 @0 (canonical), paddr u64 @8, length u64 @16, page shift u32 @24.
// Runs of 4 KiB pages are merged when virtually and physically contiguous; large pages stay single runs.
// ctl: cursor u64 @0 (where the next call starts), runs written u32 @8, missing pages written u32 @12,
// path pages u32 @16, path page numbers u64 @24 (up to 3).
// Once a table page is missing, emission stops there (the cursor) and the walk goes on only to collect
// further missing table pages, so that the caller loads many per round. The path pages are the loaded
// tables leading to the cursor: a caller that must empty the cache keeps them (ptcClearExcept), so the
// next call can resume.

let eWindows: bool = false;
let ePhysSize: u64 = 0;
let eOut: usize = 0;
let eOutCap: u32 = 0;
let eOutCount: u32 = 0;
let eMissing: usize = 0;
let eMissingCap: u32 = 0;
let eMissingCount: u32 = 0;
let eCollecting: bool = false;
let eStopCode: u32 = ENUM_DONE;
let eCursor: u64 = 0;
let eWork: u32 = 0;
let eCtl: usize = 0;
/** Physical page numbers of the tables being walked, by level (1..4). */
const pathPages = memory.data(5 * 8);

let runActive: bool = false;
let runStart: u64 = 0;
let runPhys: u64 = 0;
let runLength: u64 = 0;
let runShift: u32 = 0;

export function enumerate(
  dtb: u64, flags: u32, physSize: u64, cursor: u64, end: u64,
  out: usize, outCap: u32, missing: usize, missingCap: u32, ctl: usize,
): u32 {
  eWindows = (flags & FLAG_WINDOWS) != 0;
  ePhysSize = physSize;
  eOut = out;
  eOutCap = outCap;
  eOutCount = 0;
  eMissing = missing;
  eMissingCap = missingCap;
  eMissingCount = 0;
  eCollecting = false;
  eStopCode = ENUM_DONE;
  eCursor = end;
  eWork = 0;
  eCtl = ctl;
  runActive = false;
  store<u32>(ctl, 0, 16);

  const root = dtb & FRAME_MASK;
  if (cursor < end && root + PAGE_SIZE <= physSize) {
    const ptr = lookupPage(root >> 12);
    if (ptr == 0) {
      startCollecting(cursor, 5);
      addMissing(root >> 12);
    } else {
      walk(ptr, root >> 12, 4, 0, cursor, end);
    }
  }
  flushRun();
  store<u64>(ctl, eCursor);
  store<u32>(ctl, eOutCount, 8);
  store<u32>(ctl, eMissingCount, 12);
  return eStopCode;
}

/** Visits entries of the table at `tbl` (page `page`, covering index `base`…) that overlap [lo, hi). False = stop. */
function walk(tbl: usize, page: u64, level: i32, base: u64, lo: u64, hi: u64): bool {
  store<u64>(pathPages + (<usize>level << 3), page);
  const shift = levelShift(level);
  const size: u64 = <u64>1 << shift;
  const first = <u32>((lo - base) >> shift);
  const last = <u32>((hi - 1 - base) >> shift);
  for (let i = first; i <= last; i++) {
    const entryBase = base + (<u64>i << shift);
    const from = max(lo, entryBase);
    const to = min(hi, entryBase + size);
    if (++eWork > WORK_BUDGET) {
      if (!eCollecting) stop(ENUM_BUDGET, from);
      return false;
    }
    const e = load<u64>(tbl + (<usize>i << 3));
    if (!isUsable(e, eWindows)) continue;
    if (level == 1 || isLargePage(e, level)) {
      if (eCollecting) continue;
      const frame = e & FRAME_MASK & ~(size - 1);
      if (frame >= ePhysSize) continue;
      // A large page reaching past the end of physical memory is mapped only up to there.
      const mappedTo = min(to, entryBase + (ePhysSize - frame));
      if (from >= mappedTo) continue;
      if (!emit(from, frame + (from - entryBase), mappedTo - from, <u32>shift)) return false;
      continue;
    }
    const child = e & FRAME_MASK;
    if (child + PAGE_SIZE > ePhysSize) continue;
    const childPtr = lookupPage(child >> 12);
    if (childPtr == 0) {
      if (!eCollecting) startCollecting(from, level);
      if (!addMissing(child >> 12)) return false;
      continue;
    }
    // While collecting, page tables (level 1) hold only leaves: nothing more to load below them.
    if (eCollecting && level == 2) continue;
    if (!walk(childPtr, child >> 12, level - 1, entryBase, from, to)) return false;
  }
  return true;
}

/** Stops emitting at `at`, where a table referenced from a table at `level` is missing. */
function startCollecting(at: u64, level: i32): void {
  eCollecting = true;
  eStopCode = ENUM_MISSING;
  eCursor = at;
  flushRun();
  let n: u32 = 0;
  for (let l = 4; l >= level; l--) {
    store<u64>(eCtl + 24 + (<usize>n << 3), load<u64>(pathPages + (<usize>l << 3)));
    n++;
  }
  store<u32>(eCtl, n, 16);
}

/** Adds a page to the missing list (once). False when the list is full. */
function addMissing(page: u64): bool {
  for (let i: u32 = 0; i < eMissingCount; i++) {
    if (load<u64>(eMissing + (<usize>i << 3)) == page) return true;
  }
  store<u64>(eMissing + (<usize>eMissingCount << 3), page);
  eMissingCount++;
  return eMissingCount < eMissingCap;
}

function stop(code: u32, at: u64): void {
  eStopCode = code;
  eCursor = at;
}

/** Adds a mapping to the pending run or starts a new one. False when the output is full. */
function emit(index: u64, phys: u64, length: u64, shift: u32): bool {
  if (
    runActive && shift == 12 && runShift == 12 &&
    runStart + runLength == index && index != INDEX_SPACE_HALF && runPhys + runLength == phys
  ) {
    runLength += length;
    return true;
  }
  if (runActive) {
    // Keep one output slot free for the run this call ends with.
    const full = eOutCount + 1 >= eOutCap;
    flushRun();
    if (full) {
      stop(ENUM_OUTPUT_FULL, index);
      return false;
    }
  }
  runActive = true;
  runStart = index;
  runPhys = phys;
  runLength = length;
  runShift = shift;
  return true;
}

function flushRun(): void {
  if (!runActive) return;
  runActive = false;
  const rec = eOut + (<usize>eOutCount << 5);
  store<u64>(rec, runStart >= INDEX_SPACE_HALF ? runStart | HIGH_HALF_BITS : runStart);
  store<u64>(rec, runPhys, 8);
  store<u64>(rec, runLength, 16);
  store<u32>(rec, runShift, 24);
  eOutCount++;
}
