import { fileURLToPath } from 'node:url';

/** The project root (this file is src/build/paths.mjs). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
