/**
 * What to start a worker thread on: `entry` itself, but under tsx (the TypeScript sources, as tests run them) a stub
 * that registers tsx's loader first — Node 20 loads a worker's entry before `--import` hooks apply.
 */
export function workerEntry(entry: URL): [string | URL, { eval?: boolean }] {
  if (!entry.pathname.endsWith('.ts')) return [entry, {}];
  const tsx = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true }];
}

/**
 * A worker module next to the calling module: `name.ts` beside a source file (under tsx), `name.mjs` beside the
 * bundle (dist/cli/, where src/build/build.mjs writes each worker entry).
 */
export function siblingWorker(name: string, callerUrl: string): URL {
  // The path, not the URL: tsx's tsImport() adds a query to the modules it loads.
  return new URL(`./${name}${new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.mjs'}`, callerUrl);
}
