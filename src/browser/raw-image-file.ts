import { rawImagePieces } from '../engine/raw-export.ts';
import { isMemscopeError, MemscopeError } from '../errors.ts';
import { describeCause } from '../io/read-bounds.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';

/** What an export wrote: the raw image's size (highest address + 1) and the captured bytes in it. */
export interface RawImageWritten {
  readonly size: number;
  readonly captured: number;
}

/** Where the raw image goes: bytes written at their address; `finish` sets the size (the file system's zeros past the last write). */
interface RawSink {
  write(address: number, bytes: Uint8Array<ArrayBuffer>): Promise<void> | void;
  finish(size: number): Promise<void> | void;
  /** Leaves the file as it was before (a file the user chose) or stops writing it (a copy its owner removes). */
  abort(): Promise<void> | void;
}

/**
 * Writes the image's physical memory into `handle` as a raw image (file offset = physical address), streamed in the
 * export's bounded pieces (src/engine/raw-export.ts). Holes are not written: a write past the end and the final size
 * extend the file with zeros, as the File System API specifies. `sync`: the file is OPFS's and this is a dedicated
 * worker, so a sync access handle writes it (many times faster than a writable stream in Chromium, which stays the
 * way into a file the user chose: its old content is kept unless the whole image was written).
 * `onProgress(done, total, captured)`: addresses covered so far of the raw image's size, and captured bytes written.
 */
export async function writeRawImage(
  layer: PhysicalLayer,
  handle: FileSystemFileHandle,
  { sync, signal, onProgress }: { sync: boolean; signal: AbortSignal; onProgress: (done: number, total: number, captured: number) => void },
): Promise<RawImageWritten> {
  const sink = await (sync ? syncSink(handle) : streamSink(handle)).catch((e: unknown) => cannotWrite(handle, e));
  let captured = 0;
  try {
    for await (const piece of rawImagePieces(layer, { signal })) {
      if (piece.kind === 'data') {
        await sink.write(piece.address, piece.bytes as Uint8Array<ArrayBuffer>);
        captured += piece.bytes.length;
      }
      onProgress(piece.address + (piece.kind === 'data' ? piece.bytes.length : piece.length), layer.size, captured);
    }
    await sink.finish(layer.size);
    return { size: layer.size, captured };
  } catch (e) {
    await Promise.resolve(sink.abort()).catch(() => undefined);
    return cannotWrite(handle, e);
  }
}

async function streamSink(handle: FileSystemFileHandle): Promise<RawSink> {
  const writable = await handle.createWritable();
  return {
    write: (address, bytes) => writable.write({ type: 'write', position: address, data: bytes }),
    finish: async (size) => {
      await writable.truncate(size);
      await writable.close();
    },
    abort: () => writable.abort(),
  };
}

/** OPFS's sync access handle, as far as used here (dedicated workers only: the DOM typings leave it out). */
export interface SyncAccessHandle {
  write(bytes: Uint8Array<ArrayBuffer>, options: { at: number }): number;
  getSize(): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

/** Opens an OPFS file for synchronous positional writes (dedicated workers only). */
export function openSyncAccess(handle: FileSystemFileHandle): Promise<SyncAccessHandle> {
  return (handle as FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> }).createSyncAccessHandle();
}

async function syncSink(handle: FileSystemFileHandle): Promise<RawSink> {
  const file = await openSyncAccess(handle);
  return {
    write: (address, bytes) => {
      if (file.write(bytes, { at: address }) !== bytes.length) throw new Error(`short write at ${address}`);
    },
    finish: (size) => {
      file.truncate(size);
      file.flush();
      file.close();
    },
    abort: () => file.close(),
  };
}

function cannotWrite(handle: FileSystemFileHandle, e: unknown): never {
  if (isMemscopeError(e)) throw e;
  throw new MemscopeError('READ_FAILED', `cannot write the raw image (${describeCause(e)})`, handle.name);
}
