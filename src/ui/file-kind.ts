import { ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';
import { imageMember } from '../formats/unpack/zip-image-member.ts';
import { BlobSource } from '../io/blob-source.ts';
import { byteSourceReader, IN_PLACE, isZipSignature } from '../io/zip-byte-source-reader.ts';

/** What a file dropped or picked on the page is, whatever its name says. */
export type FileKind = 'image' | 'symbols' | 'plugin' | 'yara-rules';

/** Bytes looked at: a PDB's signature, an ISF's first members, a rule's or a module's first lines. */
const HEAD_BYTES = 4096;
const PDB_MAGIC = 'Microsoft C/C++ MSF 7.00\r\n\x1aDS';
/** Symbol files by name: ISF (.json, .json.xz, .json.gz), PDBs. */
const SYMBOL_NAME = /\.(json|json\.xz|json\.gz|pdb)$/i;
const MODULE_NAME = /\.m?js$/i;
const RULES_NAME = /\.(yar|yara)$/i;
/** A Volatility ISF's top-level members (its first few, in any order). */
const ISF_MEMBER = /"(metadata|base_types|user_types|enums|symbols)"\s*:/;
const YARA_RULE = /(^|\n)\s*(private\s+|global\s+)*rule\s+\w+\s*(:[\w\s]*)?\{/;

/**
 * Sorts a file by its first bytes, then its name: a PDB or an ISF is symbols however it is named, a memory image is
 * never taken for anything else (a name like `memory.json` is not enough: the content must be an ISF), a ZIP by what
 * it holds (a memory image, or a pack of ISF files such as Volatility's windows.zip), compressed files by their name
 * (`.json.xz`) and otherwise to the image reader, whose error says what they are.
 */
export async function fileKind(file: Blob & { readonly name: string }): Promise<FileKind> {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const text = latin1(head);
  if (text.startsWith(PDB_MAGIC)) return 'symbols';
  if (/^(\xef\xbb\xbf)?\s*\{/.test(text) && ISF_MEMBER.test(text)) return 'symbols';
  if (isZipSignature(head)) return (await isSymbolPack(file)) ? 'symbols' : 'image';
  const plainText = isText(head);
  if (MODULE_NAME.test(file.name) && plainText) return 'plugin';
  if (plainText && (RULES_NAME.test(file.name) || YARA_RULE.test(text))) return 'yara-rules';
  if (SYMBOL_NAME.test(file.name) && !/\.json$/i.test(file.name)) return 'symbols';
  return 'image';
}

/** A ZIP of symbol files, by its central directory (imageMember's verdict); an unreadable one goes to the image reader to say why. */
async function isSymbolPack(file: Blob): Promise<boolean> {
  const zip = new ZipReader(byteSourceReader(new BlobSource(file, 'zip')), { ...IN_PLACE, filenameValidation: 'tolerant' });
  try {
    const choice = imageMember(await zip.getEntries());
    return 'refusal' in choice && choice.refusal === 'symbols';
  } catch {
    return false;
  } finally {
    await zip.close().catch(() => undefined);
  }
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Text (UTF-8 or ASCII, tabs and newlines), not binary: no NUL and few control bytes. */
function isText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let control = 0;
  for (const b of bytes) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  return control * 100 < bytes.length;
}
