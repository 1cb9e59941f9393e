// A node:test reporter (beside spec): one closing line naming the test data that was missing, if any, and how to
// provide it. The skip reasons come from test-data.ts (loaded through tsx: reporters load before --import hooks).
import { tsImport } from 'tsx/esm/api';

const { MISSING_DATA, PROVIDE_DATA } = await tsImport('./test-data.ts', import.meta.url);

export default async function* testDataReporter(source) {
  const reasons = new Set();
  let skipped = 0;
  for await (const event of source) {
    const skip = event.type === 'test:pass' || event.type === 'test:fail' ? event.data.skip : undefined;
    if (typeof skip !== 'string' || !skip.startsWith(MISSING_DATA)) continue;
    skipped++;
    reasons.add(skip.slice(MISSING_DATA.length).trim());
  }
  if (skipped > 0)
    yield `\n${MISSING_DATA} skipped ${skipped} ${skipped === 1 ? 'test or suite' : 'tests or suites'}, needing ${summary(reasons)}; ${PROVIDE_DATA}\n`;
}

/** "a, b (looked in DIR)" for reasons "a (looked in DIR)", "b (looked in DIR)"; other reasons as they are. */
function summary(reasons) {
  const byDir = new Map();
  const other = [];
  for (const reason of reasons) {
    const m = /^(.*) \(looked in (.*)\)$/.exec(reason);
    if (m) byDir.set(m[2], [...(byDir.get(m[2]) ?? []), m[1]]);
    else other.push(reason);
  }
  return [...[...byDir].map(([dir, parts]) => `${parts.join(', ')} (looked in ${dir})`), ...other].join('; ');
}
