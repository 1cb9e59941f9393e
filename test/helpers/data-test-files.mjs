// Prints the Node test files that can reach the external test data: those importing test/helpers/test-data.ts,
// directly or through other test modules. .ci/fresh-clone runs these without the data, to see them skipped rather
// than failed; every other test behaves the same with or without it (it has no way to find it) and ran in the main run.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_DATA = resolve(ROOT, 'test/helpers/test-data.ts');
const IMPORT = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

const reaches = new Map();
/** Whether `file` imports test-data.ts, directly or through the modules it imports. */
function reachesTestData(file) {
  if (file === TEST_DATA) return true;
  if (reaches.has(file)) return reaches.get(file);
  reaches.set(file, false); // a cycle adds nothing
  let found = false;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  for (const [, spec] of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), spec);
    if (target.startsWith(join(ROOT, 'test')) && reachesTestData(target)) found = true;
  }
  reaches.set(file, found);
  return found;
}

const dir = join(ROOT, 'test/node');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join(dir, f))
  .filter(reachesTestData);
console.log(files.map((f) => relative(ROOT, f)).join('\n'));
