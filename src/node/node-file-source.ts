// Node-only: imports node:fs. Browser code must not import this module.
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { describeCause, readEnd } from '../io/read-bounds.ts';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  EMFILE: 'too many open files',
};

function failure(e: unknown, name: string, doing: string): MemscopeError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code !== undefined && code in REASONS ? REASONS[code] : describeCause(e);
  return new MemscopeError('READ_FAILED', `${doing}: ${reason}`, name);
}

/** A ByteSource over a file opened with `fs.promises.open`, read with positional reads. */
export class NodeFileSource implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly name: string,
    readonly size: number,
    readonly path: string,
    private readonly onClose?: () => Promise<void>,
  ) {}

  /**
   * Opens `path` for reading; a missing path, a directory or an unreadable file → READ_FAILED. `onClose` runs once the
   * file is closed (a temporary copy deletes itself).
   */
  static async open(path: string, name = basename(path) || path, onClose?: () => Promise<void>): Promise<NodeFileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw failure(e, name, `cannot open ${path}`);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new MemscopeError('READ_FAILED', `cannot open ${path}: ${stat.isDirectory() ? 'is a directory' : 'not a regular file'}`, name);
      }
      return new NodeFileSource(handle, name, stat.size, path, onClose);
    } catch (e) {
      await handle.close();
      throw e instanceof MemscopeError ? e : failure(e, name, `cannot open ${path}`);
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = readEnd(this.name, this.size, offset, length);
    const out = new Uint8Array(Math.max(0, end - offset));
    const done = await this.readInto(offset, out);
    return done === out.length ? out : out.subarray(0, done);
  }

  async readInto(offset: number, target: Uint8Array): Promise<number> {
    const out = target.subarray(0, Math.max(0, readEnd(this.name, this.size, offset, target.length) - offset));
    let done = 0;
    try {
      // Positional reads may return fewer bytes than asked; 0 means end of file (it shrank).
      while (done < out.length) {
        const { bytesRead } = await this.handle.read(out, done, out.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (e) {
      throw failure(e, this.name, `cannot read ${out.length} bytes at offset ${offset}`);
    }
    return done;
  }

  async close(): Promise<void> {
    await this.handle.close();
    await this.onClose?.();
  }
}
