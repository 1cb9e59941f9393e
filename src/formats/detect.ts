import { MemscopeError } from '../errors.ts';
import { CachedSource, type BlockCacheOptions } from '../io/block-cache.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { CompanionFiles } from '../io/companion-files.ts';
import { PackedLayer } from '../layers/packed-layer.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { aff4Format } from './aff4/aff4.ts';
import { avmlFormat } from './avml.ts';
import { s2RawFormat, snappyRawFormat } from './framed-raw.ts';
import { PROBE_BYTES, type ContainerFormat } from './container-format.ts';
import { elfCoreFormat } from './elf-core.ts';
import { kdumpFormat } from './kdump.ts';
import { findForeignSignature } from './foreign-signatures.ts';
import { hiberfilFormat } from './hiberfil.ts';
import { limeFormat } from './lime.ts';
import { rawFormat } from './raw.ts';
import { unpackImage, type UnpackEnv } from './unpack/unpack-image.ts';
import { vmwareFormat } from './vmware.ts';
import { windowsCrashDumpFormat } from './windows-crash-dump.ts';

/** Registered container formats. New modules (VMware, ...) are added here, before raw. */
export const containerFormats: readonly ContainerFormat[] = [
  elfCoreFormat,
  limeFormat,
  avmlFormat,
  snappyRawFormat,
  s2RawFormat,
  windowsCrashDumpFormat,
  kdumpFormat,
  aff4Format,
  vmwareFormat,
  hiberfilFormat,
  rawFormat,
];

/** Smaller than one page cannot be a memory image. */
const MIN_IMAGE_BYTES = 4096;

export interface OpenImageOptions {
  readonly formats?: readonly ContainerFormat[];
  /** Block cache settings, or false for a source that is already cached or needs none. */
  readonly cache?: BlockCacheOptions | false;
  /** The files that came with the image (a VMware .vmem's .vmss/.vmsn). */
  readonly companions?: CompanionFiles;
  /**
   * Temporary storage for images that must be decompressed first (gzip, deflated ZIP members), and the progress of
   * that and of other long opening steps (indexing compressed chunks).
   */
  readonly unpack?: UnpackEnv;
}

export interface FormatMatch {
  readonly format: ContainerFormat;
  readonly confidence: number;
}

/** Every format's confidence for this file start, best first (registration order breaks ties). */
export function probeFormats(head: Uint8Array, size: number, formats: readonly ContainerFormat[] = containerFormats, name = ''): FormatMatch[] {
  return formats
    .map((format) => ({ format, confidence: format.probe(head, size, name) }))
    .filter((m) => m.confidence > 0)
    .sort((a, b) => b.confidence - a.confidence);
}

/** Refuses files that only the raw fallback would take but that are plainly not memory. */
function refuseNonMemory(head: Uint8Array, source: ByteSource): void {
  const foreign = findForeignSignature(head);
  if (foreign) {
    throw new MemscopeError(foreign.code, `this is ${foreign.what}, not a memory image: ${foreign.advice(source.name)}`, source.name);
  }
  if (source.size < MIN_IMAGE_BYTES) {
    const why = `only ${source.size} bytes, smaller than one ${MIN_IMAGE_BYTES}-byte page: not a memory image`;
    throw new MemscopeError('UNKNOWN_FORMAT', why, source.name);
  }
}

/**
 * Opens a memory image: a gzip file or a ZIP that no format takes is unpacked first (unpackImage), then the first
 * PROBE_BYTES are probed with every format and the best match opened, reading through a block cache unless `cache` is
 * false. Throws UNKNOWN_FORMAT / UNSUPPORTED for files that are not memory, and whatever the chosen format's open
 * throws (TRUNCATED, CORRUPT).
 */
export async function openImage(source: ByteSource, options: OpenImageOptions = {}): Promise<PhysicalLayer> {
  const head = await source.read(0, Math.min(PROBE_BYTES, source.size));
  // A container that is itself a ZIP (AFF4) is no packing: only what raw memory alone would take is unpacked.
  const [best] = probeFormats(head, source.size, options.formats, source.name);
  const packed = !best || best.format.id === rawFormat.id ? await unpackImage(source, head, options.unpack ?? {}) : undefined;
  if (!packed) return openContainer(source, options);
  try {
    return new PackedLayer(await openContainer(packed.source, options), packed.packaging, packed.warnings);
  } catch (e) {
    await packed.source.close?.();
    throw e;
  }
}

async function openContainer(source: ByteSource, options: OpenImageOptions): Promise<PhysicalLayer> {
  if (source.size === 0) throw new MemscopeError('UNKNOWN_FORMAT', 'the file is empty (0 bytes): not a memory image', source.name);
  const cached = options.cache === false || source instanceof CachedSource ? source : new CachedSource(source, options.cache);
  const head = await cached.read(0, Math.min(PROBE_BYTES, cached.size));
  const [best] = probeFormats(head, cached.size, options.formats, source.name);
  if (!best) throw new MemscopeError('UNKNOWN_FORMAT', 'no container format recognises this file', source.name);
  if (best.format.id === rawFormat.id) refuseNonMemory(head, source);
  return best.format.open(cached, options.companions, options.unpack?.onProgress);
}
