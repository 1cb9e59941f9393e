import { MemscopeError } from '../errors.ts';
import { BlobSource } from '../io/blob-source.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { describeCause, readEnd } from '../io/read-bounds.ts';
import { openReadOnlyAccess, readAt, type ReadAccessHandle } from './opfs-read-access.ts';
import type { TempFile, TempStorage } from '../io/temp-storage.ts';

/** The folder of the origin private file system the copies live in. */
const FOLDER = 'memscope-temp';
const LOCK_PREFIX = 'memscope-temp:';

/**
 * An OPFS copy, read through a read-only sync access handle where the browser offers one (its scan workers then open
 * handles of their own: `sharedHandle`), else as a disk-backed File; closing it deletes it and lets go of its lock.
 */
export class OpfsCopy extends BlobSource {
  private constructor(
    file: File,
    name: string,
    private readonly handle: FileSystemFileHandle,
    private readonly access: ReadAccessHandle | undefined,
    private readonly remove: () => Promise<void>,
  ) {
    super(file, name);
  }

  static async open(handle: FileSystemFileHandle, name: string, remove: () => Promise<void>): Promise<OpfsCopy> {
    return new OpfsCopy(await handle.getFile(), name, handle, await openReadOnlyAccess(handle), remove);
  }

  /** The file for scan workers to open read-only handles on, where this copy is read through one. */
  get sharedHandle(): FileSystemFileHandle | undefined {
    return this.access && this.handle;
  }

  override async read(offset: number, length: number): Promise<Uint8Array> {
    if (!this.access) return super.read(offset, length);
    const bytes = new Uint8Array(Math.max(0, readEnd(this.name, this.size, offset, length) - offset));
    return bytes.subarray(0, await this.readInto(offset, bytes));
  }

  async readInto(offset: number, target: Uint8Array): Promise<number> {
    if (!this.access) {
      const bytes = await super.read(offset, target.length);
      target.set(bytes);
      return bytes.length;
    }
    readEnd(this.name, this.size, offset, target.length);
    try {
      return readAt(this.access, offset, target as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new MemscopeError('READ_FAILED', `cannot read ${target.length} bytes at offset ${offset}: ${describeCause(e)}`, this.name);
    }
  }

  async close(): Promise<void> {
    this.access?.close();
    await this.remove();
  }
}

/**
 * Temporary copies in the origin private file system (navigator.storage.getDirectory()), read back through read-only
 * sync access handles (OpfsCopy), the scan workers reading them through handles of their own. Each copy holds a Web
 * Lock while open; copies whose lock nobody holds (a tab closed or crashed with an image open) are deleted when the
 * next is made.
 */
export class OpfsTempStorage implements TempStorage {
  async create(name: string): Promise<TempFile> {
    const { handle, remove } = await createOpfsEntry(name, NO_OPFS_TO_UNPACK);
    try {
      const writable = await handle.createWritable();
      return {
        write: (bytes) => writable.write(bytes as Uint8Array<ArrayBuffer>).catch((e: unknown) => failed(name, e)),
        finish: async (): Promise<ByteSource> => {
          await writable.close().catch((e: unknown) => failed(name, e));
          return OpfsCopy.open(handle, name, remove);
        },
        discard: async () => {
          await writable.abort().catch(() => undefined);
          await remove();
        },
      };
    } catch (e) {
      await remove();
      return failed(name, e);
    }
  }
}

const NO_OPFS_TO_UNPACK =
  'this browser offers no origin private file system to decompress the image into: decompress it first, or use the memscope command line';

/** A new, empty file in the temporary folder, locked while held; `remove` deletes it and lets go of the lock. */
export interface OpfsEntry {
  readonly handle: FileSystemFileHandle;
  remove(): Promise<void>;
}

/**
 * Makes an OPFS entry (after deleting those nobody holds); `name` is what it is called in messages, `unsupported` what
 * is said where the browser has no origin private file system.
 */
export async function createOpfsEntry(name: string, unsupported: string): Promise<OpfsEntry> {
  const folder = await opfsFolder(name, unsupported);
  await removeAbandoned(folder);
  const entry = `${crypto.randomUUID()}.tmp`;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((locked) => {
    void navigator.locks.request(`${LOCK_PREFIX}${entry}`, () => {
      locked();
      return held;
    });
  });
  const remove = async () => {
    await removeOnceLetGo(folder, entry);
    release();
  };
  try {
    return { handle: await folder.getFileHandle(entry, { create: true }), remove };
  } catch (e) {
    await remove();
    return failed(name, e);
  }
}

async function opfsFolder(name: string, unsupported: string): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory || !navigator.locks) throw new MemscopeError('UNSUPPORTED', unsupported, name);
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER, { create: true });
  } catch (e) {
    return failed(name, e);
  }
}

/** Time given to the scan workers' read-only handles on a copy to go with the workers before it is deleted. */
const LET_GO_MS = 2000;

/**
 * Deletes `entry`, waiting up to LET_GO_MS while handles on it are open (a closed image's scan workers are
 * terminated as its copy is closed; their handles go a moment later). One not deleted then goes with the next copy
 * made, its lock let go.
 */
async function removeOnceLetGo(folder: FileSystemDirectoryHandle, entry: string): Promise<void> {
  const until = Date.now() + LET_GO_MS;
  for (;;) {
    try {
      return await folder.removeEntry(entry);
    } catch (e) {
      if ((e as Error).name !== 'NoModificationAllowedError' || Date.now() > until) return;
      await new Promise((wait) => setTimeout(wait, 20));
    }
  }
}

/** Deletes the copies no open image holds the lock of. */
async function removeAbandoned(folder: FileSystemDirectoryHandle): Promise<void> {
  for await (const entry of (folder as unknown as { keys(): AsyncIterable<string> }).keys()) {
    await navigator.locks.request(`${LOCK_PREFIX}${entry}`, { ifAvailable: true }, async (lock) => {
      if (lock) await folder.removeEntry(entry).catch(() => undefined);
    });
  }
}

function failed(name: string, e: unknown): never {
  throw new MemscopeError('READ_FAILED', `cannot keep a temporary copy in the browser's storage (${describeCause(e)})`, name);
}
