export { ptcRegionSize, ptcInit, ptcClear, ptcClearExcept, ptcFree, ptcInsert } from './page-cache';
export { translateBatch, enumerate } from './paging';
// The codes the JS side mirrors (checked when it loads this module).
export {
  FLAG_WINDOWS,
  PENDING as WALK_PENDING,
  MAPPED as WALK_MAPPED,
  TRANSITION_PAGE as WALK_TRANSITION,
  NOT_PRESENT as WALK_NOT_PRESENT,
  PROTOTYPE_PTE as WALK_PROTOTYPE,
  NON_CANONICAL as WALK_NON_CANONICAL,
  MISSING as WALK_MISSING,
  ENUM_DONE,
  ENUM_MISSING,
  ENUM_OUTPUT_FULL,
  ENUM_BUDGET,
} from './paging';
export { scanTags, scanBytes } from './scan';

/** First byte of linear memory free for the JS side's allocations. */
export function heapBase(): usize {
  return __heap_base;
}
