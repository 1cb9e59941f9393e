import { wrap, type Remote } from 'comlink';
import type { ScanWorker } from '../../src/worker/scan.worker.ts';
import type { ScanChunk } from '../../src/scan/chunk-plan.ts';
import { deepEqual, ok } from './assert.ts';

// The built scan worker (npm run build) handed only an OPFS file's handle: it opens a read-only sync access handle of
// its own and finds what was written at the places it was written, as it does in the same bytes handed as a Blob.
const DIST = '/dist/';
const SIZE = 4 * 1024 * 1024;
const TAG = 'Proc';
const STRING = 'opfs-copy-marker';
const SPEC = { kind: 'tags', tags: [TAG], alignment: 16, offset: 0 } as const;
const TAG_AT = [0x1000, 0x1fffe0, 0x200010, SIZE - 0x40];
const STRING_AT = [0x123, 0x1ffff8, 0x3abcde];
const RULES = `rule marker { strings: $m = "${STRING}" condition: $m }`;

/** Pseudo-random bytes (never the tag or the string) with the tag and the string written at the offsets above. */
function imageBytes(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(SIZE);
  let x = 0x9e3779b9;
  for (let i = 0; i < SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = 0x80 | (x & 0x7f); // no ASCII: neither marker occurs by chance
  }
  const encoder = new TextEncoder();
  for (const at of TAG_AT) bytes.set(encoder.encode(TAG), at);
  for (const at of STRING_AT) bytes.set(encoder.encode(STRING), at);
  return bytes;
}

/** The whole file as one chunk read in two pieces, the second starting mid-way through a marker. */
const CHUNK: ScanChunk = {
  address: 0,
  length: SIZE,
  readLength: SIZE,
  pieces: [
    { fileOffset: 0, length: 0x200000 },
    { fileOffset: 0x200000, length: SIZE - 0x200000 },
  ],
};

async function opfsFile(name: string, bytes: Uint8Array<ArrayBuffer>): Promise<FileSystemFileHandle> {
  const folder = await navigator.storage.getDirectory();
  const handle = await folder.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.close();
  return handle;
}

/** Whether the page can take `handle` for exclusive writing now (not while a worker holds a read-only handle on it). */
async function writableNow(handle: FileSystemFileHandle): Promise<boolean> {
  try {
    await (
      await (handle as unknown as { createWritable(o: { mode: string }): Promise<FileSystemWritableFileStream> }).createWritable({
        mode: 'exclusive',
      })
    ).abort();
    return true;
  } catch {
    return false;
  }
}

describe('scan worker reading an OPFS file through its own read-only sync access handle (dist build)', function () {
  this.timeout(60000);
  let worker: Worker;
  let remote: Remote<ScanWorker>;
  const names = ['scan-worker-opfs-a.bin', 'scan-worker-opfs-b.bin', 'scan-worker-opfs-c.bin'];

  before(async () => {
    const response = await fetch(`${DIST}memscope.wasm`);
    ok(response.ok, 'memscope.wasm: run npm run build first');
    const module = await WebAssembly.compile(await response.arrayBuffer());
    worker = new Worker(`${DIST}app/scan.worker.js`, { type: 'module' });
    remote = wrap<ScanWorker>(worker);
    await remote.init(module);
  });

  after(async () => {
    worker?.terminate();
    const folder = await navigator.storage.getDirectory();
    for (const name of names) await folder.removeEntry(name).catch(() => undefined);
  });

  it('finds the pool tags and YARA strings where they were written, as in the same bytes as a Blob', async () => {
    const bytes = imageBytes();
    const handle = await opfsFile(names[0]!, bytes);
    const fromHandle = await remote.scanChunk(handle, SPEC, CHUNK);
    deepEqual(
      fromHandle.map((h) => h.address),
      TAG_AT,
    );
    deepEqual(fromHandle, await remote.scanChunk(new Blob([bytes]), SPEC, CHUNK));
    const matches = await remote.yaraChunk(handle, RULES, CHUNK);
    deepEqual(
      matches.map((m) => [m.offset, new TextDecoder().decode(m.value)]),
      STRING_AT.map((at) => [at, STRING]),
    );
  });

  it('holds its handle on the file until handed another, whose handle it then holds', async () => {
    const [first, second] = [await opfsFile(names[1]!, imageBytes()), await opfsFile(names[2]!, imageBytes())];
    await remote.scanChunk(first, SPEC, CHUNK);
    ok(!(await writableNow(first)), 'the worker holds a read-only handle on the file it read');
    await remote.scanChunk(second, SPEC, CHUNK);
    ok(await writableNow(first), 'the first file is let go once another is read');
    ok(!(await writableNow(second)), 'the second file is held');
  });
});
