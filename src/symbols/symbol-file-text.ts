import xz from 'xz-decompress';
import { MemscopeError } from '../errors.ts';

/**
 * Cap on the JSON text of one symbol file. The largest real ISFs (Linux kernels from dwarf2json) are
 * tens of MB; V8 cannot hold a string much over 512 MiB anyway, so a bigger file is a bomb or garbage.
 */
export const MAX_ISF_TEXT_BYTES = 256 * 1024 * 1024;

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The JSON text of a symbol file: plain `.json`, `.json.xz` or `.json.gz`, recognised by content, not name.
 * Works in Node and in browser workers (web streams only).
 */
export async function symbolFileText(bytes: Uint8Array, fileName: string, maxBytes = MAX_ISF_TEXT_BYTES): Promise<string> {
  if (startsWith(bytes, XZ_MAGIC)) {
    return inflated(new xz.XzReadableStream(streamOf(bytes)), 'xz', fileName, maxBytes);
  }
  if (startsWith(bytes, GZIP_MAGIC)) {
    // The DOM typings want ArrayBuffer-backed chunks; symbol file bytes never live in a SharedArrayBuffer.
    const gzip = streamOf(bytes as Uint8Array<ArrayBuffer>).pipeThrough(new DecompressionStream('gzip'));
    return inflated(gzip, 'gzip', fileName, maxBytes);
  }
  if (!looksLikeJsonObject(bytes)) {
    throw new MemscopeError(
      'SYMBOLS_INVALID',
      'not a symbol file: expected Volatility 3 ISF JSON (.json) or xz/gzip-compressed JSON (.json.xz, .json.gz)',
      fileName,
    );
  }
  if (bytes.length > maxBytes) throw tooLarge(fileName, maxBytes);
  return new TextDecoder().decode(bytes);
}

async function inflated(stream: ReadableStream<Uint8Array>, codec: string, fileName: string, maxBytes: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) throw tooLarge(fileName, maxBytes);
      parts.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
  } catch (e) {
    if (e instanceof MemscopeError) throw e;
    throw new MemscopeError('SYMBOLS_INVALID', `${codec} data is corrupt or truncated (${(e as Error).message})`, fileName);
  } finally {
    // Releases the decoder (xz-decompress decodes one stream at a time until its stream is cancelled).
    if (!finished) await reader.cancel().catch(() => undefined);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

function tooLarge(fileName: string, maxBytes: number): MemscopeError {
  return new MemscopeError('SYMBOLS_INVALID', `holds more than ${maxBytes / (1024 * 1024)} MiB of JSON; no symbol table is that large`, fileName);
}

function streamOf<T extends Uint8Array>(bytes: T): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** First byte after optional BOM and whitespace is `{`. */
function looksLikeJsonObject(bytes: Uint8Array): boolean {
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b;
}
