/** An OPFS file's read-only sync access handle, as far as used here (dedicated workers only: the DOM typings leave it out). */
export interface ReadAccessHandle {
  read(target: Uint8Array<ArrayBuffer>, options: { at: number }): number;
  close(): void;
}

type ReadOnlyOpenable = FileSystemFileHandle & {
  createSyncAccessHandle(options: { mode: 'read-only' }): Promise<ReadAccessHandle>;
};

/**
 * Opens `handle` for synchronous positional reads that other readers may share (`mode: 'read-only'`), so that the
 * engine worker and each scan worker read the same file through handles of their own at disk speed; undefined where
 * the browser cannot (no sync access handles: a window, an older browser; or a handle that shuts others out: a
 * browser that ignores the mode, found by opening a second one).
 */
export async function openReadOnlyAccess(handle: FileSystemFileHandle): Promise<ReadAccessHandle | undefined> {
  if (typeof (handle as Partial<ReadOnlyOpenable>).createSyncAccessHandle !== 'function') return undefined;
  const open = () => (handle as ReadOnlyOpenable).createSyncAccessHandle({ mode: 'read-only' });
  let access: ReadAccessHandle | undefined;
  try {
    access = await open();
    (await open()).close();
    return access;
  } catch {
    access?.close();
    return undefined;
  }
}

/** Reads `target.length` bytes at `offset` (fewer only at the end of the file); returns the count. */
export function readAt(access: ReadAccessHandle, offset: number, target: Uint8Array<ArrayBuffer>): number {
  let done = 0;
  while (done < target.length) {
    const n = access.read(target.subarray(done), { at: offset + done });
    if (n <= 0) break;
    done += n;
  }
  return done;
}
