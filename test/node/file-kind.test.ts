/**
 * Files dropped on the page are sorted by what they hold: PDBs and ISFs are symbols whatever their names, memory
 * images are never taken for symbols (even named .json), modules and YARA rules are text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { fileKind } from '../../src/ui/file-kind.ts';

const file = (parts: BlobPart[], name: string) => new File(parts, name);
const PDB = 'Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0';

describe('fileKind', () => {
  it('takes a PDB or an ISF for symbols, whatever the name', async () => {
    assert.equal(await fileKind(file([PDB, new Uint8Array(4096)], 'ntkrnlmp.bin')), 'symbols');
    assert.equal(await fileKind(file(['{\n  "metadata": {"format": "6.2.0"},\n  "base_types": {}}'], 'kernel-symbols.txt')), 'symbols');
    assert.equal(await fileKind(file(['\ufeff{"base_types": {}}'], 'with-bom.isf')), 'symbols');
  });

  it('opens anything else as an image: raw memory, a PNG, JSON that is not an ISF', async () => {
    assert.equal(await fileKind(file([new Uint8Array(8192)], 'memory.raw')), 'image');
    assert.equal(await fileKind(file([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])], 'photo.png')), 'image');
    assert.equal(await fileKind(file(['{"name": "not symbols"}'], 'notes.json')), 'image');
    assert.equal(await fileKind(file([new Uint8Array(10)], 'empty.lime')), 'image');
  });

  it('goes by the name for compressed and zipped symbols, and for modules', async () => {
    assert.equal(await fileKind(file([new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])], 'ntkrnlmp.json.xz')), 'symbols');
    assert.equal(await fileKind(file([new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])], 'memory.raw.xz')), 'image');
    assert.equal(await fileKind(file(['export default { name: "x" };\n'], 'plugin.mjs')), 'plugin');
    assert.equal(await fileKind(file([new Uint8Array([0, 1, 2, 3])], 'binary.js')), 'image');
  });

  it('looks inside a ZIP: a pack of ISF files is symbols, one holding a memory image (stored or deflated) an image', async () => {
    const isf = new TextEncoder().encode('{"metadata": {}}');
    const pack = zipSync({ 'windows/ntkrnlmp.pdb/0123456789ABCDEF0123456789ABCDEF-1.json.xz': isf, 'README.txt': isf });
    assert.equal(await fileKind(file([pack], 'windows.zip')), 'symbols');
    const memory = new Uint8Array(64 * 1024).fill(7);
    for (const level of [0, 6] as const) {
      const zipped = zipSync({ 'notes.txt': isf, 'case 42/memory.raw': [memory, { level }] });
      assert.equal(await fileKind(file([zipped], 'capture.zip')), 'image', `level ${level}`);
    }
    // A damaged ZIP goes to the image reader, whose error says what is wrong with it.
    assert.equal(await fileKind(file([new Uint8Array([0x50, 0x4b, 3, 4, 0])], 'windows.zip')), 'image');
  });

  it('knows YARA rules by name or by a rule in the text', async () => {
    assert.equal(await fileKind(file(['rule evil { strings: $a = "x" condition: $a }'], 'rules.txt')), 'yara-rules');
    assert.equal(await fileKind(file(['import "pe"\nprivate rule Foo : tag1 tag2 {\n condition: true }'], 'foo')), 'yara-rules');
    assert.equal(await fileKind(file(['// nothing yet'], 'mine.yar')), 'yara-rules');
  });
});
