import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toFailure } from '../../src/engine/failure.ts';
import { MemscopeError } from '../../src/errors.ts';
import { MissingSymbolsError } from '../../src/symbols/missing-symbols.ts';

describe('engine failures for the page', () => {
  it('an error that is not a MemscopeError is a bug in memscope: INTERNAL, says so, and carries the stack', () => {
    let thrown: unknown;
    try {
      void (undefined as unknown as { size: number }).size;
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof TypeError);
    const failure = toFailure(thrown);
    assert.equal(failure.code, 'INTERNAL');
    assert.equal(failure.message, `This is a bug in memscope — please report it, with the steps that led to it: ${thrown.message}`);
    assert.equal(failure.stack, thrown.stack);
    assert.match(failure.stack!, /failure\.test\.ts/);
  });

  it('something thrown that is not an Error is INTERNAL too, without a stack', () => {
    const failure = toFailure('a string');
    assert.equal(failure.code, 'INTERNAL');
    assert.match(failure.message, /^This is a bug in memscope — .*: a string$/);
    assert.equal(failure.stack, undefined);
  });

  it('a MemscopeError keeps its code and message, with no stack', () => {
    assert.deepEqual(toFailure(new MemscopeError('CORRUPT', 'bad page table', 'x.raw')), { code: 'CORRUPT', message: 'x.raw: bad page table' });
  });

  it('missing symbols name the PDB', () => {
    const missing = { kind: 'pdb' as const, pdbName: 'ntkrnlmp.pdb', guid: '606FF669409B00F7FC8C61A9C1670129', age: 1 };
    const failure = toFailure(new MissingSymbolsError(missing, 'no symbol directory'));
    assert.equal(failure.code, 'SYMBOLS_MISSING');
    assert.deepEqual(failure.missingSymbols, missing);
    assert.equal(failure.stack, undefined);
  });
});
