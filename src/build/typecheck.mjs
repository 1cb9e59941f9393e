// `npm run typecheck`: one tsc run per target, so that each part of src sees only its own host's APIs. Runs two
// at a time and prints every target's errors under its name; exits 1 if any target fails.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './paths.mjs';

const TARGETS = [
  { config: 'tsconfig.engine.json', what: 'the engine: ES2022 and src/engine-globals.d.ts only, no DOM, no Node' },
  { config: 'tsconfig.browser.json', what: 'src/ui, src/worker, src/browser and the engine: DOM, no Node' },
  { config: 'tsconfig.node.json', what: 'src/cli, src/node and the engine: Node, no DOM' },
  { config: 'tsconfig.json', what: 'everything with the tests: DOM and Node' },
];
const PARALLEL = 2;
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// Unchanged files are not checked again on the next run.
const CACHE = join(ROOT, 'node_modules/.cache/typecheck');

let failed = 0;
const queue = [...TARGETS];
await Promise.all(Array.from({ length: PARALLEL }, async () => {
  for (let target = queue.shift(); target; target = queue.shift()) {
    const { ok, output, seconds } = await check(target.config);
    console.log(`typecheck ${ok ? 'ok    ' : 'FAILED'} ${target.config} (${target.what}) ${seconds.toFixed(1)} s`);
    if (output.trim()) console.log(output.trimEnd());
    if (!ok) failed++;
  }
}));
process.exit(failed > 0 ? 1 : 0);

function check(config) {
  const started = performance.now();
  const args = [TSC, '-p', config, '--incremental', '--tsBuildInfoFile', join(CACHE, `${config}.tsbuildinfo`), '--pretty', String(Boolean(process.stdout.isTTY))];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ok: code === 0, output, seconds: (performance.now() - started) / 1000 }));
  });
}
