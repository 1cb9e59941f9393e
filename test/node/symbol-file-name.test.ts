/** A PDB dropped under its symbol-folder name (<GUID>-<AGE>.pdb) is read as the PDB the image needs when GUID and age match. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symbolFileName } from '../../src/symbols/missing-symbols.ts';

const needed = { kind: 'pdb', pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 } as const;

describe('dropped symbol file names', () => {
  it('a <GUID>-<AGE>.pdb of the needed PDB takes its name; anything else keeps its own', () => {
    assert.equal(symbolFileName('606ff669409b00f7fc8c61a9c1670129-1.pdb', needed), 'ntkrnlmp.pdb');
    assert.equal(symbolFileName('606FF669409B00F7FC8C61A9C1670129-2.pdb', needed), '606FF669409B00F7FC8C61A9C1670129-2.pdb');
    assert.equal(symbolFileName('0123456789ABCDEF0123456789ABCDEF-1.pdb', needed), '0123456789ABCDEF0123456789ABCDEF-1.pdb');
    assert.equal(symbolFileName('606FF669409B00F7FC8C61A9C1670129-1.json.xz', needed), '606FF669409B00F7FC8C61A9C1670129-1.json.xz');
    assert.equal(symbolFileName('tcpip.pdb', needed), 'tcpip.pdb');
    assert.equal(symbolFileName('606FF669409B00F7FC8C61A9C1670129-1.pdb', undefined), '606FF669409B00F7FC8C61A9C1670129-1.pdb');
  });
});
