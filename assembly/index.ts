export { ptcRegionSize, ptcInit, ptcClear, ptcClearExcept, ptcFree, ptcInsert } from './page-cache';
export { translateBatch, enumerate } from './paging';
export { scanTags, scanBytes } from './scan';

/** First byte of linear memory free for the JS side's allocations. */
export function heapBase(): usize {
  return __heap_base;
}
