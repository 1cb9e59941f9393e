import { Worker } from 'node:worker_threads';
import type { YaraChunkMatch } from '../plugins/api/memory.ts';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import type { ScanHit, ScanSpec } from '../scan/scanner.ts';
import { decodeHits, fromWire, type PoolJob, type PoolReply, type PoolResult, type ScanThreadInit } from './scan-pool-protocol.ts';
import { workerEntry } from './worker-entry.ts';

interface Pending {
  readonly resolve: (result: PoolResult) => void;
  readonly reject: (e: unknown) => void;
}

/** A job without its id (the thread numbers them), of either kind. */
type WithoutId<J> = J extends unknown ? Omit<J, 'id'> : never;
type Job = WithoutId<PoolJob>;

/**
 * One thread of the scan pool. It keeps the process alive only while it has jobs (so a finished or failed command
 * exits without closing it); a thread that dies fails its jobs, and every later one.
 */
export class ScanThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(entry: URL, init: ScanThreadInit) {
    const [code, kind] = workerEntry(entry);
    this.worker = new Worker(code, { ...kind, workerData: init });
    this.worker.on('message', (reply: PoolReply) => this.settle(reply));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (status) => this.fail(new Error(`scan worker stopped (exit status ${status})`)));
    // After the listeners: adding a message listener refs the worker's port again.
    this.worker.unref();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The hits of `spec` in the chunk of the file at `path`. */
  async scan(path: string, spec: ScanSpec, chunk: ScanChunk): Promise<ScanHit[]> {
    const result = await this.request({ kind: 'scan', path, spec, chunk });
    return 'hits' in result ? decodeHits(result.hits) : [];
  }

  /** The matches of YARA `rules` (their text) in the chunk of the file at `path`. */
  async yara(path: string, rules: string, chunk: ScanChunk): Promise<YaraChunkMatch[]> {
    const result = await this.request({ kind: 'yara', path, rules, chunk });
    return 'matches' in result ? result.matches : [];
  }

  /** Compiles YARA `rules` (their text) for the scans with them that follow: those then only scan. */
  async yaraPrepare(rules: string): Promise<void> {
    await this.request({ kind: 'yara-prepare', rules });
  }

  /** The matches of YARA `rules` (their text) in `bytes` (handed over: detached here) that start before `length`. */
  async yaraBytes(rules: string, bytes: Uint8Array<ArrayBuffer>, length: number): Promise<YaraChunkMatch[]> {
    const result = await this.request({ kind: 'yara-bytes', rules, bytes, length }, [bytes.buffer]);
    return 'matches' in result ? result.matches : [];
  }

  /** Stops the thread; its jobs fail. */
  async terminate(): Promise<void> {
    this.fail(new Error('scan worker terminated'));
    await this.worker.terminate();
  }

  private request(job: Job, transfer: ArrayBuffer[] = []): Promise<PoolResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...job, id }, transfer);
    });
  }

  private settle(reply: PoolReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) job.reject(fromWire(reply.error));
    else job.resolve(reply);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const job of this.pending.values()) job.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
