import { MemscopeError } from '../../errors.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import { corruptPdb, Cursor } from './cursor.ts';

/** "Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0": the first 32 bytes of every PDB 7 file. */
export const MSF_MAGIC = new Uint8Array([...'Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0'].map((ch) => ch.charCodeAt(0)));
const SUPERBLOCK_SIZE = 56;
const BLOCK_SIZES: ReadonlySet<number> = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768]);
/** A stream size of 0xFFFFFFFF marks a deleted (nil) stream. */
const NIL_STREAM = 0xffffffff;
/** PDBs of ntkrnlmp are 10–30 MB, of large user programs up to ~2 GB; memscope reads them whole. */
export const MAX_PDB_BYTES = 1 << 30;

/** True when `head` starts with the MSF 7.00 magic. */
export function isMsf(head: Uint8Array): boolean {
  if (head.length < MSF_MAGIC.length) return false;
  for (let i = 0; i < MSF_MAGIC.length; i++) if (head[i] !== MSF_MAGIC[i]) return false;
  return true;
}

/** Reads a whole PDB from a byte source (checked against MAX_PDB_BYTES first). */
export async function readPdbBytes(source: ByteSource): Promise<Uint8Array> {
  if (source.size > MAX_PDB_BYTES) {
    throw new MemscopeError('UNSUPPORTED', `PDB of ${source.size} bytes is larger than memscope reads (${MAX_PDB_BYTES} bytes)`, source.name);
  }
  const bytes = await source.read(0, source.size);
  if (bytes.length < source.size) corruptPdb(source.name, `file is truncated (read ${bytes.length} of ${source.size} bytes)`);
  return bytes;
}

/**
 * The MSF 7.00 container of a PDB: a superblock, a block map naming the directory's blocks, and the directory
 * (stream count, stream sizes, each stream's blocks). Every count and block number is checked against the file
 * size before anything is allocated for it.
 */
export class MsfFile {
  readonly blockSize: number;
  readonly numBlocks: number;
  readonly streamSizes: readonly number[];
  private readonly streamBlocks: readonly Uint32Array[];

  constructor(
    private readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {
    if (bytes.length < SUPERBLOCK_SIZE || !isMsf(bytes)) corruptPdb(fileName, 'no MSF 7.00 signature ("Microsoft C/C++ MSF 7.00")');
    const sb = new Cursor(bytes, fileName, 'MSF superblock', MSF_MAGIC.length, SUPERBLOCK_SIZE);
    const blockSize = sb.u32();
    sb.u32(); // free block map block: only writers need it
    const numBlocks = sb.u32();
    const directoryBytes = sb.u32();
    sb.u32(); // unknown
    const blockMapAddr = sb.u32();
    if (!BLOCK_SIZES.has(blockSize)) corruptPdb(fileName, `block size ${blockSize} is not a power of two from 512 to 32768`);
    if (numBlocks === 0 || numBlocks * blockSize > bytes.length) {
      corruptPdb(
        fileName,
        `file is truncated or its block count is wrong: ${numBlocks} blocks of ${blockSize} bytes need more than its ${bytes.length} bytes`,
      );
    }
    if (directoryBytes < 4 || directoryBytes > numBlocks * blockSize)
      corruptPdb(fileName, `stream directory size ${directoryBytes} does not fit the file`);
    this.blockSize = blockSize;
    this.numBlocks = numBlocks;

    // The block map: the block numbers of the directory, in one block at blockMapAddr.
    const dirBlockCount = Math.ceil(directoryBytes / blockSize);
    if (dirBlockCount * 4 > blockSize) corruptPdb(fileName, `stream directory of ${directoryBytes} bytes needs more blocks than one block map holds`);
    const map = new Cursor(this.block(blockMapAddr, 'directory block map'), fileName, 'directory block map');
    const dirBlocks = new Uint32Array(dirBlockCount);
    for (let i = 0; i < dirBlockCount; i++) dirBlocks[i] = map.u32();
    const directory = this.gather(dirBlocks, directoryBytes, 'stream directory');

    const dir = new Cursor(directory, fileName, 'stream directory');
    const numStreams = dir.u32();
    if (numStreams > (directoryBytes - 4) / 4)
      corruptPdb(fileName, `stream directory claims ${numStreams} streams, more than its ${directoryBytes} bytes hold`);
    const sizes: number[] = [];
    for (let i = 0; i < numStreams; i++) {
      const size = dir.u32();
      sizes.push(size === NIL_STREAM ? 0 : size);
    }
    const blocks: Uint32Array[] = [];
    for (let i = 0; i < numStreams; i++) {
      const count = Math.ceil(sizes[i]! / blockSize);
      if (count * 4 > dir.remaining) corruptPdb(fileName, `stream ${i} (${sizes[i]} bytes) has more blocks than the stream directory lists`);
      const list = new Uint32Array(count);
      for (let b = 0; b < count; b++) {
        const n = dir.u32();
        if (n >= numBlocks) corruptPdb(fileName, `stream ${i} names block ${n}, past the file's ${numBlocks} blocks`);
        list[b] = n;
      }
      blocks.push(list);
    }
    this.streamSizes = sizes;
    this.streamBlocks = blocks;
  }

  get streamCount(): number {
    return this.streamSizes.length;
  }

  /** The bytes of stream `index`; undefined when the PDB has no such stream (index past the directory, or 0xFFFF). */
  stream(index: number): Uint8Array | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.streamSizes.length) return undefined;
    return this.gather(this.streamBlocks[index]!, this.streamSizes[index]!, `stream ${index}`);
  }

  private block(n: number, what: string): Uint8Array {
    const start = n * this.blockSize;
    if (n >= this.numBlocks || start + this.blockSize > this.bytes.length)
      corruptPdb(this.fileName, `${what} is in block ${n}, past the end of the file`);
    return this.bytes.subarray(start, start + this.blockSize);
  }

  private gather(blocks: Uint32Array, size: number, what: string): Uint8Array {
    if (blocks.length * this.blockSize < size) corruptPdb(this.fileName, `${what} of ${size} bytes has too few blocks`);
    const out = new Uint8Array(size);
    for (let i = 0, at = 0; at < size; i++, at += this.blockSize) {
      const b = this.block(blocks[i]!, what);
      out.set(b.subarray(0, Math.min(this.blockSize, size - at)), at);
    }
    return out;
  }
}
