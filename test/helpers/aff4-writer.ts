// A small AFF4 v1.0 writer for tests, independent of src/formats/aff4: stored ZIP members, snappy or LZ4 chunks,
// one aff4:Map over one aff4:ImageStream. Options break it on purpose for the hostile-input tests.
import { crc32 } from 'node:zlib';
import { compressBlock, compressBound } from 'lz4js';
import snappy from 'snappyjs';
import { concat } from '../fixtures/windows/encoding.ts';

export interface Aff4WriterOptions {
  readonly chunkSize?: number;
  readonly chunksInSegment?: number;
  /** How chunks are compressed (default snappy); LZ4 as raw blocks, as c-aff4 and Evimetry write them. */
  readonly compression?: 'snappy' | 'lz4';
  /** Image ranges the stream holds (default: the whole image); the rest are map gaps (zeros). */
  readonly ranges?: readonly { start: number; length: number }[];
  /** Stored bytes of this chunk are overwritten with garbage. */
  readonly corruptChunk?: number;
  /** The last segment's index lists this many extra chunks that its segment does not hold. */
  readonly phantomIndexEntries?: number;
  /** Adds a map entry that reads past the end of the image stream. */
  readonly entryBeyondTarget?: boolean;
}

export interface WrittenAff4 {
  readonly bytes: Uint8Array;
  readonly imageUrn: string;
  readonly mapUrn: string;
  readonly streamUrn: string;
}

const COMPRESSION_URLS = { snappy: 'http://code.google.com/p/snappy/', lz4: 'https://code.google.com/p/lz4/' } as const;

function lz4(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(compressBound(raw.length));
  const length = compressBlock(raw, out, 0, raw.length, new Uint32Array(1 << 16));
  return length > 0 ? out.slice(0, length) : raw.slice();
}

const VOLUME = 'aff4://0b1e5a5e-0000-4000-8000-000000000001';
const IMAGE = 'aff4://0b1e5a5e-0000-4000-8000-000000000002';
const MAP = 'aff4://0b1e5a5e-0000-4000-8000-000000000003';
const STREAM = 'aff4://0b1e5a5e-0000-4000-8000-000000000004';

/** `aff4://x/member` → `aff4%3A%2F%2Fx/member`, as Evimetry and pyaff4 name members. */
const memberName = (urn: string) => urn.replace('aff4://', 'aff4%3A%2F%2F');

export function writeAff4(image: Uint8Array, options: Aff4WriterOptions = {}): WrittenAff4 {
  const chunkSize = options.chunkSize ?? 32 * 1024;
  const chunksInSegment = options.chunksInSegment ?? 16;
  const ranges = options.ranges ?? [{ start: 0, length: image.length }];
  // The stream holds the ranges last-first, so stream offsets differ from image addresses.
  const streamParts = [...ranges].reverse();
  const streamSize = streamParts.reduce((n, r) => n + r.length, 0);
  const stream = new Uint8Array(Math.ceil(streamSize / chunkSize) * chunkSize);
  const mapEntries: [number, number, number, number][] = [];
  let at = 0;
  for (const r of streamParts) {
    stream.set(image.subarray(r.start, r.start + r.length), at);
    mapEntries.push([r.start, r.length, at, 0]);
    at += r.length;
  }
  if (options.entryBeyondTarget) mapEntries.push([image.length - 4096, 4096, streamSize - 1024, 0]);

  const members: [string, Uint8Array][] = [
    ['version.txt', text('major=1\nminor=0\ntool=memscope test writer\n')],
    ['container.description', text(VOLUME)],
  ];
  const chunkCount = stream.length / chunkSize;
  for (let segment = 0; segment * chunksInSegment < chunkCount; segment++) {
    const parts: Uint8Array[] = [];
    const index: number[][] = [];
    let offset = 0;
    for (let c = segment * chunksInSegment; c < Math.min(chunkCount, (segment + 1) * chunksInSegment); c++) {
      const raw = stream.subarray(c * chunkSize, (c + 1) * chunkSize);
      const packed = options.compression === 'lz4' ? lz4(raw) : snappy.compress(raw);
      const stored = packed.length < chunkSize ? packed : raw.slice();
      if (c === options.corruptChunk) stored.fill(0xff, 0, Math.min(stored.length, 8));
      parts.push(stored);
      index.push([offset, stored.length]);
      offset += stored.length;
    }
    const last = (segment + 1) * chunksInSegment >= chunkCount;
    for (let i = 0; last && i < (options.phantomIndexEntries ?? 0); i++) index.push([offset + i * 100, 100]);
    const name = `${STREAM}/${String(segment).padStart(8, '0')}`;
    members.push([memberName(name), concat(parts)]);
    const indexBytes = new Uint8Array(index.length * 12);
    const view = new DataView(indexBytes.buffer);
    index.forEach(([o, l], i) => {
      view.setBigUint64(i * 12, BigInt(o!), true);
      view.setUint32(i * 12 + 8, l!, true);
    });
    members.push([memberName(`${name}.index`), indexBytes]);
  }
  const map = new Uint8Array(mapEntries.length * 28);
  const mapView = new DataView(map.buffer);
  mapEntries.forEach(([m, l, t, id], i) => {
    mapView.setBigUint64(i * 28, BigInt(m), true);
    mapView.setBigUint64(i * 28 + 8, BigInt(l), true);
    mapView.setBigUint64(i * 28 + 16, BigInt(t), true);
    mapView.setUint32(i * 28 + 24, id, true);
  });
  members.push([memberName(`${MAP}/map`), map], [memberName(`${MAP}/idx`), text(`${STREAM}\n`)]);
  members.push([
    'information.turtle',
    text(turtle(image.length, streamSize, chunkSize, chunksInSegment, COMPRESSION_URLS[options.compression ?? 'snappy'])),
  ]);
  return { bytes: zip(members), imageUrn: IMAGE, mapUrn: MAP, streamUrn: STREAM };
}

function turtle(imageSize: number, streamSize: number, chunkSize: number, chunksInSegment: number, compression: string): string {
  return `@prefix aff4: <http://aff4.org/Schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<${VOLUME}> a aff4:ZipVolume ; aff4:contains <${IMAGE}>, <${MAP}>, <${STREAM}> .
<${IMAGE}> a aff4:Image, aff4:ContiguousImage ;
  aff4:category <http://aff4.org/Schema#memory/physical> ;
  aff4:dataStream <${MAP}> ;
  aff4:size "${imageSize}"^^xsd:long .
<${MAP}> a aff4:Map ; aff4:size "${imageSize}"^^xsd:long ; aff4:mapGapDefaultStream aff4:Zero ; aff4:target <${IMAGE}> .
<${STREAM}> a aff4:ImageStream ;
  aff4:chunkSize "${chunkSize}"^^xsd:int ;
  aff4:chunksInSegment "${chunksInSegment}"^^xsd:int ;
  aff4:compressionMethod <${compression}> ;
  aff4:size "${streamSize}"^^xsd:long ;
  aff4:version "1"^^xsd:int .
`;
}

/** A ZIP of stored members (no ZIP64: test volumes stay small). */
export function zip(members: readonly [string, Uint8Array][]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBytes = text(name);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const directory = concat(centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, directory.length, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, directory, end]);
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
