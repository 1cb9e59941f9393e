import * as Comlink from 'comlink';
import type { YaraChunkMatch } from '../plugins/api/memory.ts';
import { chunkMatches } from '../plugins/common/yara-scan.ts';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import { ChunkScanner } from '../scan/chunk-scanner.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';
import { YaraRulesCache } from '../scan/yara-rules-cache.ts';
import { instantiateMemscopeWasm } from '../layers/wasm-module.ts';
import { ScanFileReader, type ScanFile } from './scan-file-reader.ts';

/** One scan worker: its own Wasm instance (and YARA-X, once asked), reading the image's File slices (or its OPFS copy) itself. */
export class ScanWorker {
  private scanner: ChunkScanner | undefined;
  private readonly yaraRules = new YaraRulesCache();
  private readonly reader = new ScanFileReader();

  async init(module: WebAssembly.Module): Promise<void> {
    this.scanner = new ChunkScanner(await instantiateMemscopeWasm(module));
  }

  /** Scans one chunk of physical memory read straight from the file. */
  async scanChunk(file: ScanFile, spec: ScanSpec, chunk: ScanChunk): Promise<ScanHit[]> {
    if (!this.scanner) throw new Error('scan worker not initialised');
    return this.scanner.scan(spec, chunk, await this.reader.readPieces(file, chunk));
  }

  /** Compiles YARA rules (their text) for the scans with them that follow: those then only scan. */
  async yaraPrepare(rules: string): Promise<void> {
    await this.yaraRules.get(rules);
  }

  /** YARA rules (their text, compiled once per worker) over one chunk read straight from the file. */
  async yaraChunk(file: ScanFile, rules: string, chunk: ScanChunk): Promise<YaraChunkMatch[]> {
    const compiled = await this.yaraRules.get(rules);
    const pieces = await this.reader.readPieces(file, chunk);
    const bytes = pieces.length === 1 ? pieces[0]! : new Uint8Array(chunk.readLength);
    if (pieces.length > 1) pieces.reduce((at, piece) => (bytes.set(piece, at), at + piece.length), 0);
    return chunkMatches(compiled, bytes, chunk.length);
  }

  /** YARA rules (their text, compiled once per worker) over bytes sent with the call: matches starting before `length`. */
  async yaraBytes(rules: string, bytes: Uint8Array, length: number): Promise<YaraChunkMatch[]> {
    return chunkMatches(await this.yaraRules.get(rules), bytes, length);
  }
}

Comlink.expose(new ScanWorker());
