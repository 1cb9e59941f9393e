import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { isZipSignature } from '../../io/zip-byte-source-reader.ts';
import type { AddressRange, ContainerNote, PhysicalLayer, PhysicalRun } from '../../layers/physical-layer.ts';
import type { ContainerFormat } from '../container-format.ts';
import { Aff4Map } from './aff4-map.ts';
import { Aff4Metadata, MAX_TURTLE_BYTES } from './aff4-metadata.ts';
import type { Aff4Stream } from './aff4-stream.ts';
import { ImageStream } from './image-stream.ts';
import { SymbolicStream } from './symbolic-stream.ts';
import { ZipVolume } from './zip-volume.ts';

/** A map whose targets are maps whose targets are maps… deeper than this is a loop or garbage. */
const MAX_MAP_DEPTH = 4;
/** Maps opened for one image: bounds the fan-out of maps listing maps. */
const MAX_MAPS = 256;
/** Member names every AFF4 volume writer puts in the first local headers (plain or URL-encoded URNs). */
const AFF4_MARKERS = ['container.description', 'information.turtle', 'aff4%3A%2F%2F'].map((m) => new TextEncoder().encode(m));
/** Image classes whose `aff4:dataStream` is the image's bytes, most specific first. */
const IMAGE_TYPES = ['MemoryImage', 'ContiguousImage', 'DiskImage', 'Image'];

/** The AFF4 object the image's bytes come from, found in `information.turtle`. */
function chooseImage(meta: Aff4Metadata): { urn: string; kind: string } | undefined {
  const isMemory = (urn: string) => meta.values(urn, 'category').some((c) => /memory/i.test(c));
  const preferMemory = (urns: string[]) => urns.find(isMemory) ?? urns[0];
  for (const type of IMAGE_TYPES) {
    const image = preferMemory(meta.subjectsOfType(type).filter((s) => meta.value(s, 'dataStream')));
    if (image) return { urn: meta.value(image, 'dataStream')!, kind: `aff4:${type} ${image}` };
  }
  for (const type of ['Map', 'ImageStream']) {
    const stream = preferMemory(meta.subjectsOfType(type));
    if (stream) return { urn: stream, kind: `aff4:${type}` };
  }
  return undefined;
}

/**
 * Opens AFF4 objects by URN. Image streams are opened once (their chunk caches shared); maps are opened per
 * reference so that a map reaching itself ends at MAX_MAP_DEPTH instead of awaiting its own opening.
 */
function streamOpener(volume: ZipVolume, meta: Aff4Metadata): (urn: string) => Promise<Aff4Stream> {
  const imageStreams = new Map<string, ImageStream>();
  let maps = 0;
  const open = async (urn: string, depth: number): Promise<Aff4Stream> => {
    const symbolic = SymbolicStream.forUrn(urn);
    if (symbolic) return symbolic;
    if (meta.hasType(urn, 'Map')) {
      if (depth >= MAX_MAP_DEPTH) {
        throw new MemscopeError('CORRUPT', `map ${urn} is nested more than ${MAX_MAP_DEPTH} maps deep (a map targeting itself?)`, volume.source.name);
      }
      if (++maps > MAX_MAPS) throw new MemscopeError('CORRUPT', `the image's maps reference more than ${MAX_MAPS} maps`, volume.source.name);
      return Aff4Map.open(volume, meta, urn, (target) => open(target, depth + 1));
    }
    if (meta.hasType(urn, 'ImageStream')) {
      const stream = imageStreams.get(urn) ?? ImageStream.fromMetadata(volume, meta, urn);
      imageStreams.set(urn, stream);
      return stream;
    }
    throw new MemscopeError(
      'CORRUPT',
      `${urn} is neither an aff4:Map, an aff4:ImageStream nor a symbolic stream in information.turtle`,
      volume.source.name,
    );
  };
  return (urn) => open(urn, 0);
}

/**
 * Physical memory read out of an AFF4 image: map → image stream → compressed chunks. Not direct-mapped:
 * the runs' bytes are not at file offsets, so scans read through `read`.
 */
class Aff4Layer implements PhysicalLayer {
  readonly format = 'aff4';
  readonly directMapped = false;
  readonly notes: readonly ContainerNote[] = [];
  readonly capturedBytes: number;
  readonly size: number;

  constructor(
    readonly source: ByteSource,
    private readonly stream: Aff4Stream,
    readonly runs: readonly PhysicalRun[],
    readonly warnings: readonly string[],
    readonly patterned: readonly AddressRange[],
  ) {
    this.size = stream.size;
    this.capturedBytes = runs.reduce((n, r) => n + r.length, 0);
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(address + length)) {
      throw new MemscopeError('BAD_REQUEST', `invalid physical read of ${length} bytes at ${address}`, this.source.name);
    }
    const out = new Uint8Array(length);
    const end = Math.min(address + length, this.size);
    if (end > address) await this.stream.readInto(address, out.subarray(0, end - address));
    return out;
  }
}

/** AFF4 Standard v1.0 (Evimetry, pyaff4, WinPmem 3+): a ZIP volume with Turtle metadata. */
export const aff4Format: ContainerFormat = {
  id: 'aff4',
  description: 'AFF4 image (ZIP volume)',

  probe(head) {
    if (!isZipSignature(head)) return 0;
    return AFF4_MARKERS.some((marker) => indexOf(head, marker) >= 0) ? 0.9 : 0;
  },

  async open(source: ByteSource): Promise<PhysicalLayer> {
    const volume = await ZipVolume.open(source);
    const turtle = volume.member('information.turtle');
    if (!turtle) throw new MemscopeError('UNKNOWN_FORMAT', 'this ZIP has no information.turtle: not an AFF4 volume', source.name);
    const text = new TextDecoder().decode(await volume.readWhole(turtle, MAX_TURTLE_BYTES, 'information.turtle'));
    const meta = await Aff4Metadata.parse(text, source.name, volume.urn);
    const image = chooseImage(meta);
    if (!image) throw new MemscopeError('UNKNOWN_FORMAT', 'information.turtle describes no aff4:Image, aff4:Map or aff4:ImageStream', source.name);
    const stream = await streamOpener(volume, meta)(image.urn);
    if (!Number.isFinite(stream.size)) throw new MemscopeError('CORRUPT', `the image's data stream ${image.urn} is a symbolic stream`, source.name);
    const ranges = stream instanceof Aff4Map ? stream.dataRanges() : [{ start: 0, length: stream.size }];
    // fileOffset -1: the bytes are compressed chunks, not a file range (directMapped is false).
    const runs = ranges.map((r) => ({ ...r, fileOffset: -1 }));
    return new Aff4Layer(source, stream, runs, [], stream instanceof Aff4Map ? stream.patternRanges() : []);
  },
};

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
