/**
 * Files dropped on the page are sorted by what they hold: PDBs and ISFs are symbols whatever their names, memory
 * images are never taken for symbols (even named .json), modules and YARA rules are text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(await fileKind(file([new Uint8Array([0x50, 0x4b, 3, 4, 0])], 'windows.zip')), 'symbols');
    assert.equal(await fileKind(file([new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])], 'memory.raw.xz')), 'image');
    assert.equal(await fileKind(file(['export default { name: "x" };\n'], 'plugin.mjs')), 'plugin');
    assert.equal(await fileKind(file([new Uint8Array([0, 1, 2, 3])], 'binary.js')), 'image');
  });

  it('knows YARA rules by name or by a rule in the text', async () => {
    assert.equal(await fileKind(file(['rule evil { strings: $a = "x" condition: $a }'], 'rules.txt')), 'yara-rules');
    assert.equal(await fileKind(file(['import "pe"\nprivate rule Foo : tag1 tag2 {\n condition: true }'], 'foo')), 'yara-rules');
    assert.equal(await fileKind(file(['// nothing yet'], 'mine.yar')), 'yara-rules');
  });
});
