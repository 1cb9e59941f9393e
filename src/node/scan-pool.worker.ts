// A thread of the CLI's scan pool (node-scan-pool.ts): its own Wasm instance (and YARA-X, once asked), reading its
// chunks from the image file.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateMemscopeWasm } from '../layers/wasm-module.ts';
import { chunkMatches } from '../plugins/common/yara-scan.ts';
import type { ScanChunk } from '../scan/chunk-plan.ts';
import { ChunkScanner } from '../scan/chunk-scanner.ts';
import { readChunk } from '../scan/scan-physical.ts';
import { YaraRulesCache } from '../scan/yara-rules-cache.ts';
import { NodeFileSource } from './node-file-source.ts';
import { encodeHits, toWire, type PoolJob, type PoolReply, type PoolResult, type ScanThreadInit } from './scan-pool-protocol.ts';

const port = parentPort!;
const scanner = instantiateMemscopeWasm((workerData as ScanThreadInit).module).then((wasm) => new ChunkScanner(wasm));
/** Chunk buffers free for the next read: a thread reads its next chunk while it scans one. */
const buffers: Uint8Array[] = [];
const yaraRules = new YaraRulesCache();

port.on('message', (job: PoolJob) => {
  void answer(job).then((result) => {
    const reply: PoolReply = { ...result, id: job.id };
    port.postMessage(reply, 'hits' in reply ? [reply.hits.buffer] : []);
  });
});

async function answer(job: PoolJob): Promise<PoolResult> {
  try {
    if (job.kind === 'scan') {
      const { spec, chunk } = job;
      const found = await withChunk(job.path, chunk, async (bytes) => (await scanner).scan(spec, chunk, pieces(bytes, chunk)));
      return { hits: encodeHits(found) };
    }
    const rules = await yaraRules.get(job.rules);
    if (job.kind === 'yara-prepare') return { matches: [] };
    if (job.kind === 'yara-bytes') return { matches: chunkMatches(rules, job.bytes, job.length) };
    return { matches: await withChunk(job.path, job.chunk, (bytes) => chunkMatches(rules, bytes, job.chunk.length)) };
  } catch (e) {
    return { error: toWire(e) };
  }
}

/** The chunk's bytes, read into a buffer of this thread's. */
async function withChunk<T>(path: string, chunk: ScanChunk, use: (bytes: Uint8Array) => Promise<T> | T): Promise<T> {
  let buffer = buffers.pop();
  if (!buffer || buffer.length < chunk.readLength) buffer = new Uint8Array(chunk.readLength);
  try {
    return await use(await withFile(path, (source) => readChunk(source, chunk, buffer)));
  } finally {
    buffers.push(buffer);
  }
}

/** Files open while chunks of them are being read: the thread holds no file between scans. */
const files = new Map<string, { readonly source: Promise<NodeFileSource>; users: number }>();

async function withFile<T>(path: string, use: (source: NodeFileSource) => Promise<T>): Promise<T> {
  let file = files.get(path);
  if (!file) files.set(path, (file = { source: NodeFileSource.open(path), users: 0 }));
  file.users++;
  try {
    return await use(await file.source);
  } finally {
    if (--file.users === 0) {
      files.delete(path);
      void file.source.then((s) => s.close()).catch(() => undefined);
    }
  }
}

/** A chunk's bytes as read (readChunk: its pieces one after the other), piece by piece. */
function pieces(bytes: Uint8Array, chunk: ScanChunk): Uint8Array[] {
  let at = 0;
  return chunk.pieces.map((p) => bytes.subarray(at, (at += p.length)));
}
