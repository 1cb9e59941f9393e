/** The message for symbol files added for another build than the image needs (issue 12, item 6). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symbolMismatch } from '../../src/ui/symbol-mismatch.ts';

const needed = { kind: 'pdb', pdbName: 'ntkrnlmp.pdb', guid: '606FF669-409B-00F7-FC8C-61A9C1670129', age: 1 } as const;

describe('symbol mismatch', () => {
  it('names what the image needs and what was given when the kernel PDB is another build', () => {
    assert.equal(
      symbolMismatch(needed, ['ntkrnlmp.pdb/0CE4A95C0CD782A7596B034D8648E585-1']),
      'The ntkrnlmp.pdb you added is for another build (GUID 0CE4A95C0CD782A7596B034D8648E585 age 1); this image needs GUID 606FF669409B00F7FC8C61A9C1670129 age 1. It is kept for images of that build.',
    );
  });

  it('says nothing when the needed table is among those added, or only other modules were added', () => {
    assert.equal(
      symbolMismatch(needed, ['ntkrnlmp.pdb/0CE4A95C0CD782A7596B034D8648E585-1', 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1']),
      undefined,
    );
    assert.equal(symbolMismatch(needed, ['tcpip.pdb/1B7D9C7E6FD3D7C1C2D5A0F3B1E2A4C5-1']), undefined);
    assert.equal(symbolMismatch(needed, []), undefined);
  });

  it('a Linux symbol file for another kernel banner', () => {
    const linux = { kind: 'linux', release: '6.1.0-56-amd64', banner: 'Linux version 6.1.0-56-amd64 (a)', reason: 'r' } as const;
    assert.match(
      symbolMismatch(linux, ['linux/Linux version 6.1.0-13-amd64 (b)'])!,
      /another kernel \(Linux version 6\.1\.0-13-amd64 \(b\)\); this image runs Linux version 6\.1\.0-56-amd64 \(a\)/,
    );
    assert.equal(symbolMismatch(linux, ['linux/Linux version 6.1.0-56-amd64 (a)']), undefined);
  });
});
