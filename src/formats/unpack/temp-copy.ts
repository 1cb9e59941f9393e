import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import type { TempStorage } from '../../io/temp-storage.ts';
import type { OpenProgress } from '../container-format.ts';

export interface UnpackEnv {
  /** Where a decompressed copy can be kept; without it, files with no random access are refused. */
  readonly temp?: TempStorage;
  readonly onProgress?: OpenProgress;
  readonly signal?: AbortSignal;
}

/** Hands decompressed bytes on, one chunk at a time: the promise settles once the chunk is stored. */
export type ChunkSink = (chunk: Uint8Array) => Promise<void>;

export interface TempCopy {
  /** The copy; its `close` deletes it. */
  readonly source: ByteSource;
  readonly bytes: number;
  /** What `fill` said of the stream (e.g. that it ends early). */
  readonly warnings: readonly string[];
}

/**
 * Decompresses once into a temporary copy, `fill` pushing the stream's bytes into the sink as it inflates them, so
 * that memory holds one chunk at a time whatever the image's size. A failure or a cancel deletes the copy.
 */
export async function decompressToTemp(
  source: ByteSource,
  name: string,
  what: string,
  env: UnpackEnv,
  fill: (sink: ChunkSink) => Promise<readonly string[]>,
): Promise<TempCopy> {
  if (!env.temp) {
    throw new MemscopeError(
      'UNSUPPORTED',
      `${what} cannot be read in place and there is no temporary storage here to decompress it to: decompress it first`,
      source.name,
    );
  }
  const file = await env.temp.create(name);
  let bytes = 0;
  try {
    const warnings = await fill(async (chunk) => {
      if (env.signal?.aborted) throw new MemscopeError('CANCELLED', `decompressing ${what} cancelled`, source.name);
      await file.write(chunk);
      bytes += chunk.length;
    });
    return { source: await file.finish(), bytes, warnings };
  } catch (e) {
    await file.discard().catch(() => undefined);
    throw e;
  }
}

/** "decompressed 0.25 GiB (268435456 bytes) to a temporary copy": the notice every such image carries. */
export function tempCopyNotice(what: string, bytes: number): string {
  return `${what}: decompressed ${(bytes / 2 ** 30).toFixed(2)} GiB (${bytes} bytes) to a temporary copy, removed when the image is closed`;
}
