import type { ByteSource } from '../io/byte-source.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { StreamRunsLayer } from '../layers/stream-runs-layer.ts';
import type { ContainerFormat } from './container-format.ts';
import { indexFramedStream, type FramedKind } from './snappy/framed-index.ts';
import { FramedStream } from './snappy/framed-stream.ts';

const IDENTIFIER: Readonly<Record<FramedKind, string>> = { snappy: 'sNaPpY', s2: 'S2sTwO' };

/**
 * A raw image (file offset = physical address) compressed as one Snappy- or S2-framed stream, as go-winpmem 4.x writes
 * it (`--compression snappy` / `s2`): the stream's chunks are indexed once from their headers, reads decompress only
 * the chunks they touch, each checked against its CRC-32C.
 */
function framedRawFormat(kind: FramedKind, description: string): ContainerFormat {
  const start = [0xff, 6, 0, 0, ...[...IDENTIFIER[kind]].map((c) => c.charCodeAt(0))];
  return {
    id: kind,
    description,
    probe: (head) => (start.every((b, i) => head[i] === b) ? 0.9 : 0),
    async open(source: ByteSource, _companions, onProgress): Promise<PhysicalLayer> {
      const what = `the ${kind === 's2' ? 'S2' : 'Snappy'} stream`;
      const stage = `Indexing ${what}'s chunks`;
      const index = await indexFramedStream(source, 0, source.size, { what, onProgress: (at) => onProgress?.(at, source.size, stage) });
      onProgress?.(source.size, source.size, stage);
      const stream = new FramedStream(source, index, what);
      const run = { start: 0, length: index.length, readInto: (at: number, target: Uint8Array) => stream.readInto(at, target) };
      return new StreamRunsLayer({ format: kind, source, runs: [run], warnings: index.warnings });
    },
  };
}

export const snappyRawFormat = framedRawFormat('snappy', 'raw memory compressed as a Snappy-framed stream (go-winpmem 4.x)');
export const s2RawFormat = framedRawFormat('s2', 'raw memory compressed as an S2-framed stream (go-winpmem 4.x)');
