import { expose, releaseProxy, transfer } from 'comlink';
import type { EngineApi, ImagePluginInfo, ImageSummary, JobProgress, MemoryRead, MemorySpace, Outcome, RunSummary } from '../engine/engine-api.ts';
import { toFailure } from '../engine/failure.ts';
import { IdbKeyValueCache } from '../engine/idb-kv-cache.ts';
import { openSession, type Session } from '../engine/session.ts';
import { isMemscopeError, MemscopeError } from '../errors.ts';
import { BlobSource } from '../io/blob-source.ts';
import { instantiateMemscopeWasm, type MemscopeWasm } from '../layers/wasm-module.ts';
import type { Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { IdbSymbolStore } from '../symbols/idb-symbol-store.ts';
import { MissingSymbolsError } from '../symbols/missing-symbols.ts';
import { SessionPackStore } from '../symbols/session-pack-store.ts';
import { ChainSymbolStore, MemorySymbolStore } from '../symbols/symbol-store.ts';
import { pdbKey } from '../symbols/symbol-table.ts';
import { isZipSignature, ZipSymbolPack } from '../symbols/zip-symbol-pack.ts';
import { JobStream } from './job-stream.ts';
import { WorkerScanService } from './worker-scan-service.ts';

/** memscope.wasm compiled once: the module for the scan workers, an instance for this worker's page walks. */
interface WasmRuntime {
  readonly module: WebAssembly.Module;
  readonly wasm: MemscopeWasm;
}

/** The engine worker: owns the opened image and runs plugins; the page talks to it through comlink. */
class EngineWorker implements EngineApi {
  private session: Session | undefined;
  private scanner: WorkerScanService | undefined;
  private readonly jobs = new Map<string, AbortController>();
  private readonly persistent = new IdbSymbolStore();
  /** Symbols kept for this session only, when IndexedDB refuses them (private windows, quota). */
  private readonly transient = new MemorySymbolStore();
  /** ZIP packs (Volatility's windows.zip) read in place; only the tables used from them are stored. */
  private readonly packs = new SessionPackStore((name, bytes) => this.store(name, bytes));
  private readonly symbols = new ChainSymbolStore(this.transient, this.persistent, this.packs);
  private readonly discoveryCache = new IdbKeyValueCache();
  private runtime: Promise<WasmRuntime> | undefined;

  async open(file: Blob, fileName: string): Promise<Outcome<ImageSummary>> {
    await this.closeImage();
    return settle(async () => {
      const { module, wasm } = await this.wasmRuntime();
      // Scan workers read their chunks from this file themselves.
      this.scanner = new WorkerScanService(file, module, new URL('scan.worker.js', self.location.href));
      const env = { wasm, symbols: this.symbols, scanner: this.scanner, discoveryCache: this.discoveryCache };
      this.session = await openSession(new BlobSource(file, fileName), env);
      return this.session.summary;
    });
  }

  async addSymbolFiles(files: readonly { name: string; blob: Blob }[]): Promise<Outcome<string[]>> {
    return settle(async () => {
      const keys: string[] = [];
      for (const { name, blob } of files) {
        if (await isZip(name, blob)) {
          keys.push(...(await this.addPack(new BlobSource(blob, name), keys)));
        } else {
          keys.push((await this.store(name, new Uint8Array(await blob.arrayBuffer()))).key);
        }
      }
      return keys;
    });
  }

  async plugins(): Promise<ImagePluginInfo[]> {
    return this.session?.plugins() ?? [];
  }

  async columns(plugin: string, options: PluginOptions): Promise<Column[]> {
    return this.session?.columns(plugin, options) ?? [];
  }

  async run(
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
  ): Promise<Outcome<RunSummary>> {
    const session = this.session;
    const abort = new AbortController();
    const stream = new JobStream(onRows, onProgress);
    const started = performance.now();
    this.jobs.set(jobId, abort);
    try {
      return await settle(async () => {
        if (!session) throw new MemscopeError('BAD_REQUEST', 'open an image first');
        const control = { signal: abort.signal, onProgress: (done: number, total: number, stage: string) => stream.progress(done, total, stage) };
        const run = session.run(plugin, options, control);
        for await (const row of run) {
          abort.signal.throwIfAborted();
          await stream.add(row);
        }
        return { rowCount: stream.count, warnings: run.warnings, elapsedMs: performance.now() - started };
      }, abort.signal);
    } finally {
      this.jobs.delete(jobId);
      await stream.close().catch(() => undefined);
      release(onRows);
      release(onProgress);
    }
  }

  cancel(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }

  async readMemory(space: MemorySpace, address: string, length: number): Promise<Outcome<MemoryRead>> {
    const session = this.session;
    const outcome = await settle(async () => {
      if (!session) throw new MemscopeError('BAD_REQUEST', 'open an image first');
      return session.readMemory(space, address, length);
    });
    // The session hands back a buffer of its own, so it can move instead of being copied.
    return outcome.ok ? transfer(outcome, [outcome.value.bytes.buffer]) : outcome;
  }

  private async closeImage(): Promise<void> {
    for (const job of this.jobs.values()) job.abort();
    const session = this.session;
    this.session = undefined;
    this.scanner?.terminate();
    this.scanner = undefined;
    await session?.close();
  }

  private wasmRuntime(): Promise<WasmRuntime> {
    this.runtime ??= (async () => {
      const response = await fetch(new URL('memscope.wasm', self.location.href));
      if (!response.ok) throw new MemscopeError('UNSUPPORTED', `memscope.wasm could not be loaded (HTTP ${response.status})`);
      const module = await WebAssembly.compile(await response.arrayBuffer());
      return { module, wasm: await instantiateMemscopeWasm(module) };
    })();
    this.runtime.catch(() => (this.runtime = undefined));
    return this.runtime;
  }

  /**
   * Keeps a symbol pack for this session. When the open image still needs its kernel's table, that entry is
   * taken and stored now (returned as the key added); a pack without it → SYMBOLS_MISSING naming the PDB and the pack.
   */
  private async addPack(source: BlobSource, added: readonly string[]): Promise<string[]> {
    const pack = await ZipSymbolPack.open(source);
    this.packs.add(pack);
    const missing = this.session?.summary.missingSymbols;
    if (missing?.kind !== 'pdb') return [];
    const key = pdbKey(missing.pdbName, missing.guid, missing.age);
    if (added.includes(key)) return [];
    if (!(await this.packs.take(pack, key))) throw new MissingSymbolsError(missing, pack.describe());
    return [key];
  }

  private async store(name: string, bytes: Uint8Array) {
    try {
      return await this.persistent.putFile(name, bytes);
    } catch (e) {
      if (isMemscopeError(e)) throw e;
      return this.transient.putFile(name, bytes);
    }
  }
}

async function isZip(name: string, blob: Blob): Promise<boolean> {
  return name.toLowerCase().endsWith('.zip') || isZipSignature(new Uint8Array(await blob.slice(0, 4).arrayBuffer()));
}

/** Runs engine work; any throw becomes failure data (comlink would drop a MemscopeError's fields). */
async function settle<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: signal?.aborted ? { code: 'CANCELLED', message: 'Cancelled.' } : toFailure(e) };
  }
}

/** Closes the message port of a callback the page passed with comlink.proxy (no-op for plain functions). */
function release(callback: object): void {
  (callback as { [releaseProxy]?: () => void })[releaseProxy]?.();
}

expose(new EngineWorker());
