// Node-only: imports node:fs. Browser code must not import this module.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { describeCause } from '../io/read-bounds.ts';
import type { TempFile, TempStorage } from '../io/temp-storage.ts';
import { NodeFileSource } from './node-file-source.ts';

/** Temporary copies not yet deleted: removed when the process exits or is interrupted, whatever it was doing. */
const live = new Set<string>();
let hooked = false;

function removeAllNow(): void {
  for (const path of live) rmSync(path, { force: true });
  live.clear();
}

/** On exit, and on SIGINT/SIGTERM (removing the copies, then dying of the signal as without the hook). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAllNow();
      process.kill(process.pid, signal);
    });
  }
}

async function remove(path: string): Promise<void> {
  live.delete(path);
  await rm(path, { force: true });
}

/**
 * Temporary copies as files in the system's temporary directory (os.tmpdir(), readable by this user only), each
 * deleted when its source is closed, and any left when the process exits.
 */
export class TempFileStorage implements TempStorage {
  constructor(private readonly dir = tmpdir()) {}

  async create(name: string): Promise<TempFile> {
    const path = join(this.dir, `memscope-${randomUUID()}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (e) {
      throw new MemscopeError('READ_FAILED', `cannot create a temporary copy in ${this.dir}: ${describeCause(e)}`, name);
    }
    hookExit();
    live.add(path);
    let size = 0;
    return {
      write: async (bytes) => {
        try {
          for (let done = 0; done < bytes.length;) done += (await handle.write(bytes, done, bytes.length - done, size + done)).bytesWritten;
        } catch (e) {
          throw new MemscopeError('READ_FAILED', `cannot write the temporary copy ${path}: ${describeCause(e)}`, name);
        }
        size += bytes.length;
      },
      finish: async (): Promise<ByteSource> => {
        await handle.close();
        return NodeFileSource.open(path, name, () => remove(path));
      },
      discard: async () => {
        await handle.close().catch(() => undefined);
        await remove(path);
      },
    };
  }
}
