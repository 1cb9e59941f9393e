// The engine worker's PluginContext.output: the files plugins write, kept in the origin private file system until
// the next image is opened, for the page to offer as downloads.
import type { RunFile } from '../engine/engine-api.ts';
import { numberedName, safeFileName } from '../engine/output-file-name.ts';
import { MemscopeError } from '../errors.ts';
import { describeCause } from '../io/read-bounds.ts';
import type { OutputFile } from '../plugins/api.ts';
import { openSyncAccess, type SyncAccessHandle } from './raw-image-file.ts';

/** The OPFS folder of the runs' files: one folder in it per engine worker, one per run in that. */
export const OUTPUT_FOLDER = 'memscope-output';
const LOCK_PREFIX = 'memscope-output:';

/** What a run gets to keep files: its PluginContext.output, then the files it wrote, and the closing of those left open. */
export interface RunOutput {
  readonly create: (name: string) => Promise<OutputFile>;
  files(): RunFile[];
  close(): Promise<void>;
}

/**
 * The files of one engine worker's runs: memscope-output/<worker>/<job>/<name>, written through sync access handles
 * (positional writes). The worker's folder is held by a Web Lock while the worker lives; opening an image deletes it
 * and the folders of workers gone (a tab closed).
 */
export class OpfsOutputFolders {
  private readonly id = crypto.randomUUID();
  private locked: Promise<void> | undefined;

  /** The output of run `jobId`; undefined where the browser has no OPFS sync access handles (the run writes no files). */
  run(jobId: string): RunOutput | undefined {
    if (!supported()) return undefined;
    const path = [OUTPUT_FOLDER, this.id, jobId];
    return new OpfsRunOutput(path, async () => {
      this.locked ??= holdLock(`${LOCK_PREFIX}${this.id}`);
      await this.locked;
      let folder = await navigator.storage.getDirectory();
      for (const name of path.slice(0, -1)) folder = await folder.getDirectoryHandle(name, { create: true });
      // A run's folder is new: one of the same job id (a page that started over on this worker) goes first.
      await folder.removeEntry(jobId, { recursive: true }).catch(() => undefined);
      return folder.getDirectoryHandle(jobId, { create: true });
    });
  }

  /** Deletes this worker's runs' files and those of workers no longer there (its open files are left: their runs end). */
  async clear(): Promise<void> {
    if (!supported()) return;
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUTPUT_FOLDER).catch(() => undefined);
    if (!root) return;
    const names: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    for (const name of names) {
      const remove = () => root.removeEntry(name, { recursive: true }).catch(() => undefined);
      if (name === this.id) await remove();
      else await navigator.locks.request(`${LOCK_PREFIX}${name}`, { ifAvailable: true }, async (lock) => lock && (await remove()));
    }
  }
}

/** Whether this is a worker of a browser with OPFS sync access handles and Web Locks. */
function supported(): boolean {
  return (
    typeof navigator.storage?.getDirectory === 'function' &&
    navigator.locks !== undefined &&
    typeof FileSystemFileHandle !== 'undefined' &&
    'createSyncAccessHandle' in FileSystemFileHandle.prototype
  );
}

/** Takes the Web Lock `name` and keeps it for the worker's life. */
function holdLock(name: string): Promise<void> {
  return new Promise((locked) => {
    void navigator.locks.request(name, () => {
      locked();
      return new Promise<never>(() => undefined);
    });
  });
}

/** One file as written so far: its size is read when it is closed. */
interface Written {
  readonly name: string;
  readonly access: SyncAccessHandle;
  size: number;
  open: boolean;
}

/** The files of one run, in its own folder (made at the first file), each under a safe name unique in it. */
class OpfsRunOutput implements RunOutput {
  private folder: Promise<FileSystemDirectoryHandle> | undefined;
  private readonly written: Written[] = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly path: readonly string[],
    private readonly makeFolder: () => Promise<FileSystemDirectoryHandle>,
  ) {}

  readonly create = async (requested: string): Promise<OutputFile> => {
    const safe = safeFileName(requested);
    let n = 0;
    while (this.names.has(numberedName(safe, n))) n++;
    const name = numberedName(safe, n);
    this.names.add(name);
    try {
      this.folder ??= this.makeFolder();
      const handle = await (await this.folder).getFileHandle(name, { create: true });
      const file: Written = { name, access: await openSyncAccess(handle), size: 0, open: true };
      this.written.push(file);
      return this.file(file);
    } catch (e) {
      return failed(name, e);
    }
  };

  files(): RunFile[] {
    return this.written.map(({ name, size }) => ({ name, size, folder: this.path }));
  }

  async close(): Promise<void> {
    for (const file of this.written) if (file.open) end(file);
  }

  private file(file: Written): OutputFile {
    let next = 0;
    return {
      name: file.name,
      write: async (bytes, at = next) => {
        if (!file.open) throw new MemscopeError('BAD_REQUEST', `${file.name} is closed`);
        try {
          if (file.access.write(bytes as Uint8Array<ArrayBuffer>, { at }) !== bytes.length) throw new Error(`short write at ${at}`);
        } catch (e) {
          failed(file.name, e);
        }
        next = at + bytes.length;
      },
      close: async (length) => {
        if (file.open) end(file, length);
      },
    };
  }
}

/** Closes a file, `length` bytes long when given (zeros past the last write), and notes its size. */
function end(file: Written, length?: number): void {
  file.open = false;
  try {
    if (length !== undefined) file.access.truncate(length);
    file.access.flush();
    file.size = file.access.getSize();
  } catch (e) {
    failed(file.name, e);
  } finally {
    file.access.close();
  }
}

function failed(name: string, e: unknown): never {
  throw new MemscopeError('READ_FAILED', `cannot write ${name} in the browser's storage (${describeCause(e)})`);
}
