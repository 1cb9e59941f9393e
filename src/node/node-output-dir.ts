// Node-only: imports node:fs. Where the CLI keeps the files plugins write (PluginContext.output).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { numberedName, safeFileName } from '../engine/output-file-name.ts';
import { MemscopeError } from '../errors.ts';
import type { OutputFile } from '../plugins/api.ts';

/** Names tried for one file before giving up (name, name-1 … name-9999). */
const MAX_TRIES = 10_000;

/** The error of a file system call on `path`, as one line: "cannot write out/x.dmp: ENOSPC". */
function failure(path: string, e: unknown): MemscopeError {
  return new MemscopeError('BAD_REQUEST', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

/**
 * A folder (-o/--output-dir) the files of one run go to: each created new, never over an existing file, under its
 * safe name (numbered when taken, as Volatility 3 does); positional writes, so holes stay sparse.
 */
export class NodeOutputDir {
  private readonly handles = new Set<FileHandle>();

  private constructor(readonly dir: string) {}

  /** The folder, which must exist (as Volatility 3's --output-dir): BAD_REQUEST otherwise. */
  static async at(dir: string): Promise<NodeOutputDir> {
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new MemscopeError('BAD_REQUEST', `-o/--output-dir: ${dir} is not an existing folder`);
    return new NodeOutputDir(dir);
  }

  /** PluginContext.output. */
  readonly create = async (requested: string): Promise<OutputFile> => {
    const safe = safeFileName(requested);
    for (let n = 0; n < MAX_TRIES; n++) {
      const name = numberedName(safe, n);
      const path = join(this.dir, name);
      let handle: FileHandle;
      try {
        handle = await open(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw failure(path, e);
      }
      return this.file(handle, name, path);
    }
    throw new MemscopeError('BAD_REQUEST', `cannot write ${join(this.dir, safe)}: it and ${MAX_TRIES - 1} numbered names exist`);
  };

  /** Closes the files a run left open (one that failed or was stopped), as far as they were written. */
  async close(): Promise<void> {
    for (const handle of this.handles) await handle.close().catch(() => undefined);
    this.handles.clear();
  }

  private file(handle: FileHandle, name: string, path: string): OutputFile {
    this.handles.add(handle);
    let next = 0;
    return {
      name,
      write: async (bytes, at = next) => {
        try {
          await handle.write(bytes, 0, bytes.length, at);
        } catch (e) {
          throw failure(path, e);
        }
        next = at + bytes.length;
      },
      close: async (length) => {
        if (!this.handles.delete(handle)) return;
        try {
          if (length !== undefined) await handle.truncate(length);
        } catch (e) {
          throw failure(path, e);
        } finally {
          await handle.close();
        }
      },
    };
  }
}
