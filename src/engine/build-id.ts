/** Replaced with a string literal by esbuild's `define` in `npm run build` (src/build/build-id.mjs). */
declare const MEMSCOPE_BUILD_ID: string | undefined;

/**
 * Which build of memscope this is: a content hash of the sources it was built from, or undefined when it runs
 * from source (tsx, tests), where the code may change between two runs without anything telling them apart.
 */
export const BUILD_ID: string | undefined = typeof MEMSCOPE_BUILD_ID === 'string' ? MEMSCOPE_BUILD_ID : undefined;
