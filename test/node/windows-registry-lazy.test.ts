/**
 * Listing hives opens none of them: windows.registry.hivelist once started reading every hive's storage as it listed it,
 * promises nobody awaited, so a read failing after the run (the CLI closing the image; found by the fuzzer as a crash,
 * "file closed") ended the process as an unhandled rejection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { collect, windowsImage } from '../helpers/windows-session.ts';

/** The image in memory, whose reads fail once `closed` is set, as a closed file's do. */
class ClosingSource extends MemorySource {
  closed = false;
  reads = 0;
  override async read(offset: number, length: number): Promise<Uint8Array> {
    await new Promise((r) => setImmediate(r));
    this.reads++;
    if (this.closed) throw new Error('file closed');
    return super.read(offset, length);
  }
}

describe('windows.registry.hivelist', () => {
  it('reads nothing once its last row is out: no read left to fail after the image is closed', async () => {
    const image = await windowsImage({ size: 24 * 1024 * 1024, seed: 5 });
    const source = new ClosingSource(image.image, 'generated.raw');
    const session = await openSession(source, await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false }));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const rows = await collect(session, 'windows.registry.hivelist');
      assert.deepEqual(
        rows.map((r) => r.values[0]),
        image.expected.registry.hives.map((h) => BigInt(h.offset)),
      );
      source.closed = true;
      const readsAtEnd = source.reads;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(source.reads, readsAtEnd, 'no read after the run');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await session.close();
    }
  });
});
