import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SessionEnv } from '../engine/session.ts';
import { instantiateMemscopeWasm } from '../layers/wasm-module.ts';
import { DirectoryKeyValueCache } from '../node/directory-kv-cache.ts';
import { DirectorySymbolStore } from '../node/directory-symbol-store.ts';
import { IsfDigestCache } from '../node/isf-digest-cache.ts';
import { NodeScanPool } from '../node/node-scan-pool.ts';
import { loadWasmBytesNode } from '../node/wasm-bytes-node.ts';
import { SymbolServerStore } from '../node/symbol-server-store.ts';
import { TempFileStorage } from '../node/temp-file-storage.ts';
import { ProgressBar } from './progress-bar.ts';
import { ChainSymbolStore, type SymbolStore } from '../symbols/symbol-store.ts';

export interface NodeEnvOptions {
  readonly symbolDirs: readonly string[];
  /** Fetch missing PDBs from this symbol server (after the directories), keeping them in the cache directory. */
  readonly symbolServer?: URL;
  /** Persist discovery results in the user's cache directory. */
  readonly cache: boolean;
  readonly cacheDir?: string;
  /** Scan threads (0: scan on this thread); default $MEMSCOPE_SCAN_WORKERS, else the cores available up to 4. */
  readonly scanWorkers?: number;
}

/** ~/.cache/memscope (or $XDG_CACHE_HOME/memscope). */
export function defaultCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'memscope');
}

function symbolServer(options: NodeEnvOptions): SymbolStore[] {
  if (!options.symbolServer) return [];
  const dir = join(options.cacheDir ?? defaultCacheDir(), 'symbols');
  return [new SymbolServerStore(options.symbolServer, dir, (line) => process.stderr.write(`memscope: ${line}\n`))];
}

/** The engine's environment in Node: the same Wasm, symbol directories, a pool of scan threads. */
export async function createNodeEnv(options: NodeEnvOptions): Promise<SessionEnv> {
  const wasmBytes = await loadWasmBytesNode();
  // Both caches live in one folder: a folder that cannot be written is said once.
  let cacheWarned = false;
  const cacheWarning = (m: string): void => {
    if (!cacheWarned) process.stderr.write(`memscope: warning: ${m} (--no-cache skips the cache)\n`);
    cacheWarned = true;
  };
  const digests = options.cache ? new IsfDigestCache(join(options.cacheDir ?? defaultCacheDir(), 'symbols-digest'), cacheWarning) : undefined;
  return {
    wasm: await instantiateMemscopeWasm(wasmBytes),
    symbols: new ChainSymbolStore(...options.symbolDirs.map((d) => new DirectorySymbolStore(d, digests)), ...symbolServer(options)),
    scanner: new NodeScanPool(wasmBytes, options.scanWorkers),
    discoveryCache: options.cache ? new DirectoryKeyValueCache(join(options.cacheDir ?? defaultCacheDir(), 'discovery'), cacheWarning) : undefined,
    unpack: { temp: new TempFileStorage(), onProgress: unpackProgress() },
  };
}

/** A progress bar for decompressing a gzip file or a ZIP member, gone once it is done. */
function unpackProgress(): (done: number, total: number, stage: string) => void {
  const bar = new ProgressBar();
  return (done, total, stage) => (done >= total ? bar.clear() : bar.update(done, total, stage));
}
