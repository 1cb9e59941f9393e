import { expose, transfer } from 'comlink';
import { IdbKeyValueCache } from '../browser/idb-kv-cache.ts';
import { IdbSymbolStore } from '../browser/idb-symbol-store.ts';
import type { EngineApi, ImagePluginInfo, ImageSummary, KeptSymbols, MemoryRead, MemorySpace, Outcome } from '../engine/engine-api.ts';
import { hashImage, type ImageHashes } from '../engine/image-hash.ts';
import { SeedRecorder, type SessionSeed } from '../engine/session-seed.ts';
import { openSession } from '../engine/session.ts';
import { isMemscopeError, MemscopeError } from '../errors.ts';
import { BlobCompanions } from '../io/blob-companions.ts';
import { BlobSource } from '../io/blob-source.ts';
import { instantiateMemscopeWasm, type MemscopeWasm } from '../layers/wasm-module.ts';
import { MissingSymbolsError, symbolFileName } from '../symbols/missing-symbols.ts';
import { SessionPackStore } from '../symbols/session-pack-store.ts';
import { ChainSymbolStore, MemorySymbolStore } from '../symbols/symbol-store.ts';
import { parsePdbKey, pdbKey } from '../symbols/symbol-table.ts';
import { PdbSymbolTable, pdbIsfText } from '../symbols/pdb/pdb-table.ts';
import { MEMSCOPE_VERSION } from '../version.ts';
import { discoveredIsfText } from '../os/windows/symbol-free/isf-export.ts';
import { isZipSignature, ZipSymbolPack } from '../symbols/zip-symbol-pack.ts';
import { release, settle, SoloJob } from './job-runner.ts';
import { SessionJobs } from './session-jobs.ts';
import { WorkerScanService } from './worker-scan-service.ts';
import { OpfsTempStorage } from '../browser/opfs-temp-storage.ts';
import { OpfsOutputFolders, type RunOutput } from '../browser/opfs-output-dir.ts';
import type { RawExportApi } from './raw-export-api.ts';
import { RawExportJob } from './raw-export-job.ts';

/** memscope.wasm compiled once: the module for the scan workers, an instance for this worker's page walks. */
interface WasmRuntime {
  readonly module: WebAssembly.Module;
  readonly wasm: MemscopeWasm;
}

/** The engine worker: owns the opened image and runs plugins; the page talks to it through comlink. */
class EngineWorker extends SessionJobs implements EngineApi, RawExportApi {
  private scanner: WorkerScanService | undefined;
  /** What the open session used of the discovery cache and the symbol store: the plugin sandbox's seed. */
  private used: SeedRecorder | undefined;
  private readonly persistent = new IdbSymbolStore();
  /** Symbols kept for this session only, when IndexedDB refuses them (private windows, quota). */
  private readonly transient = new MemorySymbolStore();
  /** ZIP packs (Volatility's windows.zip) read in place; only the tables used from them are stored. */
  private readonly packs = new SessionPackStore((name, bytes) => this.store(name, bytes));
  private readonly symbols = new ChainSymbolStore(this.transient, this.persistent, this.packs);
  private readonly discoveryCache = new IdbKeyValueCache();
  /** The hashing of the open image's file, while it runs. */
  private readonly hashing = new SoloJob();
  private runtime: Promise<WasmRuntime> | undefined;
  private readonly rawExport = new RawExportJob();
  /** The files plugin runs write, kept until the next image is opened. */
  private readonly outputs = new OpfsOutputFolders();

  async open(
    file: Blob,
    fileName: string,
    companions: readonly { name: string; blob: Blob }[] = [],
    onProgress?: (done: number, total: number, stage: string) => void,
  ): Promise<Outcome<ImageSummary>> {
    await this.closeImage();
    await this.outputs.clear().catch(() => undefined);
    return settle(async () => {
      const { module, wasm } = await this.wasmRuntime();
      // Scan workers read their chunks from the image's file (or its unpacked copy) themselves.
      this.scanner = new WorkerScanService(module, new URL('scan.worker.js', self.location.href));
      this.used = new SeedRecorder(this.discoveryCache, this.symbols);
      const unpack = { temp: new OpfsTempStorage(), onProgress };
      const env = { wasm, symbols: this.used.symbols, scanner: this.scanner, discoveryCache: this.used.cache, unpack };
      this.session = await openSession(new BlobSource(file, fileName), env, new BlobCompanions(companions));
      return this.session.summary;
    }).finally(() => onProgress && release(onProgress));
  }

  async addSymbolFiles(files: readonly { name: string; blob: Blob }[]): Promise<Outcome<string[]>> {
    return settle(async () => {
      const keys: string[] = [];
      for (const { name, blob } of files) {
        if (await isZip(name, blob)) {
          keys.push(...(await this.addPack(new BlobSource(blob, name), keys)));
        } else {
          const missing = this.session?.summary.missingSymbols;
          const fileName = symbolFileName(name, missing?.kind === 'pdb' ? missing : undefined);
          keys.push((await this.store(fileName, new Uint8Array(await blob.arrayBuffer()))).key);
        }
      }
      return keys;
    });
  }

  hashImage(onProgress: (done: number, total: number) => void): Promise<Outcome<ImageHashes>> {
    const session = this.session;
    return this.hashing.run(async (signal) => {
      if (!session) throw new MemscopeError('BAD_REQUEST', 'open an image first');
      return hashImage(session.source, onProgress, signal);
    }, onProgress);
  }

  cancelHashing(): void {
    this.hashing.cancel();
  }

  exportRaw(...[target, onProgress]: Parameters<RawExportApi['exportRaw']>): ReturnType<RawExportApi['exportRaw']> {
    return this.rawExport.run(this.session?.physical, target, onProgress);
  }

  cancelExport(): void {
    this.rawExport.cancel();
  }

  protected override output(jobId: string): RunOutput | undefined {
    return this.outputs.run(jobId);
  }

  async keptSymbols(): Promise<Outcome<KeptSymbols[]>> {
    return settle(() => this.persistent.entries());
  }

  async forgetSymbols(key: string): Promise<Outcome<void>> {
    return settle(() => this.persistent.delete(key));
  }

  async isfFile(key: string): Promise<Outcome<{ fileName: string; text: string }>> {
    return settle(async () => {
      const pdb = parsePdbKey(key);
      if (!pdb) throw new MemscopeError('BAD_REQUEST', `${key} is not a PDB's table`);
      const fileName = `${pdb.guid}-${pdb.age}.json`;
      // The open image's kernel read without its symbol file: the table discovered in the image.
      const summary = this.session?.summary;
      if (summary?.symbolKey === key && summary.missingSymbols?.kind === 'pdb' && summary.missingSymbols.discovered) {
        return { fileName, text: discoveredIsfText(await this.session!.kernel('windows'), MEMSCOPE_VERSION) };
      }
      const table = await this.symbols.get(key);
      if (!(table instanceof PdbSymbolTable)) throw new MemscopeError('BAD_REQUEST', `${key} is not a PDB kept here (an ISF file is saved as it is)`);
      return { fileName, text: pdbIsfText(table, MEMSCOPE_VERSION) };
    });
  }

  async plugins(): Promise<ImagePluginInfo[]> {
    return this.session?.plugins() ?? [];
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

  async sessionSeed(): Promise<Outcome<SessionSeed>> {
    const used = this.session && this.used;
    return settle(async () => {
      if (!used) throw new MemscopeError('BAD_REQUEST', 'open an image first');
      return used.seed();
    });
  }

  private async closeImage(): Promise<void> {
    this.hashing.cancel();
    this.rawExport.cancel();
    const closed = this.closeSession();
    this.used = undefined;
    this.scanner?.terminate();
    this.scanner = undefined;
    await closed;
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

expose(new EngineWorker());
