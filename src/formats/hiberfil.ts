import { isMemscopeError, MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { hex } from '../io/hex.ts';
import { describeCause } from '../io/read-bounds.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { StreamRunsLayer, type StreamRun } from '../layers/stream-runs-layer.ts';
import { LruCache } from './aff4/lru-cache.ts';
import type { ContainerFormat } from './container-format.ts';
import { HEADER_LAYOUTS, indexHiberfil, PAGE, SIGNATURES, u32, type HiberfilIndex, type SetCodec } from './hiberfil-index.ts';
import { decompressLz77Huffman } from './xpress/lz77-huffman.ts';
import { decompressPlainLz77 } from './xpress/plain-lz77.ts';

/** Decoded compression sets kept: 256 × at most 64 KiB. */
const CACHED_SETS = 256;
const STAGE = "Indexing the hibernation file's compression sets";
const CODEC_NAMES: Readonly<Record<SetCodec, string>> = { huffman: 'Xpress LZ77+Huffman', plain: 'Xpress Plain LZ77', stored: 'stored' };

/** The pages of the compression sets, decoded on demand (Xpress Plain LZ77 or LZ77+Huffman, or stored). */
class CompressionSets {
  private readonly cache = new LruCache<number, Uint8Array>(CACHED_SETS);
  constructor(
    private readonly source: ByteSource,
    private readonly index: HiberfilIndex,
  ) {}

  set(i: number): Promise<Uint8Array> {
    return this.cache.get(i, async () => {
      const { setOffsets, setSizes, setPages, setCodecs } = this.index;
      const at = `hibernation file: the compression set at file offset ${hex(setOffsets[i]!)}`;
      const stored = await this.source.read(setOffsets[i]!, setSizes[i]!);
      if (stored.length < setSizes[i]!) throw new MemscopeError('TRUNCATED', `${at} is cut off by the end of the file`, this.source.name);
      const expected = setPages[i]! * PAGE;
      try {
        const codec = setCodecs[i];
        return codec === 'stored' ? stored : codec === 'huffman' ? decompressLz77Huffman(stored, expected) : decompressPlainLz77(stored, expected);
      } catch (e) {
        if (!isMemscopeError(e)) throw e;
        throw new MemscopeError('CORRUPT', `${at} does not decompress (${describeCause(e)})`, this.source.name);
      }
    });
  }
}

/**
 * Windows 8 and later hibernation files (hiberfil.sys, x64): the header gives the boot and kernel restore sets, chains
 * of compression sets of up to 16 pages each, Xpress-compressed ([MS-XCA] Plain LZ77 or LZ77+Huffman) or stored. The
 * sets are indexed once from their headers; reads decode only the sets they touch. Pages no set holds read as zeros.
 * Windows 7 and older ("hibr" in lower case, other structures) and 32-bit Windows are refused as UNSUPPORTED.
 */
export const hiberfilFormat: ContainerFormat = {
  id: 'hiberfil',
  description: 'Windows hibernation file (hiberfil.sys, Windows 8 and later, Xpress-compressed)',

  probe(head) {
    if (head.length < 0x10) return 0;
    const signature = u32(head, 0);
    if (SIGNATURES.has(signature)) return HEADER_LAYOUTS.has(u32(head, 0x0c)) ? 1 : 0.5;
    // Windows XP - 7 wrote the signature in lower case: recognised, to be refused clearly rather than read as raw.
    return signature === 0x72626968 || signature === 0x656b6177 ? 0.5 : 0;
  },

  async open(source: ByteSource, _companions, onProgress): Promise<PhysicalLayer> {
    const index = await indexHiberfil(source, (at) => onProgress?.(at, source.size, STAGE));
    onProgress?.(source.size, source.size, STAGE);
    const sets = new CompressionSets(source, index);
    const warnings = [...index.warnings];
    const runs: StreamRun[] = [];
    let end = 0;
    let overlapping = 0;
    for (const run of [...index.runs].sort((a, b) => a.page - b.page)) {
      if (run.page < end) {
        overlapping++;
        continue;
      }
      end = run.page + run.pages;
      runs.push({
        start: run.page * PAGE,
        length: run.pages * PAGE,
        // A descriptor's pages follow one another inside its set.
        async readInto(offset, target) {
          const at = run.pageInSet * PAGE + offset;
          target.set((await sets.set(run.set)).subarray(at, at + target.length));
        },
      });
    }
    if (overlapping > 0) warnings.push(`${overlapping} page runs of the hibernation file overlap pages of a run below them and are skipped`);
    const count = (codec: SetCodec) => index.setCodecs.filter((c) => c === codec).length;
    const setCounts = (Object.keys(CODEC_NAMES) as SetCodec[]).flatMap((codec) =>
      count(codec) > 0 ? [`${count(codec)} ${CODEC_NAMES[codec]}`] : [],
    );
    const details: [string, string][] = [
      ['Signature', `${index.signature} (PO_MEMORY_IMAGE of build ${index.build})`],
      ['Compression sets', setCounts.join(', ') || 'none'],
    ];
    return new StreamRunsLayer({ format: 'hiberfil', source, runs, warnings, size: (index.highestPage + 1) * PAGE, details });
  },
};
