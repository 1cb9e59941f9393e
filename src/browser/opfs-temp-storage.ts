import { MemscopeError } from '../errors.ts';
import { BlobSource } from '../io/blob-source.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { describeCause } from '../io/read-bounds.ts';
import type { TempFile, TempStorage } from '../io/temp-storage.ts';

/** The folder of the origin private file system the copies live in. */
const FOLDER = 'memscope-temp';
const LOCK_PREFIX = 'memscope-temp:';

/** An OPFS copy, read as a disk-backed File; closing it deletes it and lets go of its lock. */
class OpfsCopy extends BlobSource {
  constructor(
    file: File,
    name: string,
    private readonly remove: () => Promise<void>,
  ) {
    super(file, name);
  }

  async close(): Promise<void> {
    await this.remove();
  }
}

/**
 * Temporary copies in the origin private file system (navigator.storage.getDirectory()), read back as disk-backed
 * Files, so the scan workers read their slices as they read a picked file. Each copy holds a Web Lock while open;
 * copies whose lock nobody holds (a tab closed or crashed with an image open) are deleted when the next is made.
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
          return new OpfsCopy(await handle.getFile(), name, remove);
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
    await folder.removeEntry(entry).catch(() => undefined);
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
