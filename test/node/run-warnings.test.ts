import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warningLine } from '../../src/cli/warning-line.ts';
import { MAX_DISTINCT_WARNINGS, RunWarnings } from '../../src/engine/run-warnings.ts';
import type { RunWarning } from '../../src/plugins/plugin.ts';

describe('run warnings', () => {
  it('counts identical warnings (code, message and address) once, in order of first occurrence', () => {
    const log = new RunWarnings();
    const smear: RunWarning = { code: 'SMEAR', message: 'list loops back', address: '0xffff888000001000' };
    log.add(smear);
    log.add({ code: 'UNREADABLE', message: 'list loops back', address: '0xffff888000001000' });
    log.add({ ...smear });
    log.add({ ...smear, address: '0xffff888000002000' });
    log.add({ code: 'LIMIT', message: 'too long' });
    log.add({ ...smear });
    assert.deepEqual(log.list, [
      { ...smear, count: 3 },
      { code: 'UNREADABLE', message: 'list loops back', address: '0xffff888000001000', count: 1 },
      { ...smear, address: '0xffff888000002000', count: 1 },
      { code: 'LIMIT', message: 'too long', count: 1 },
    ]);
  });

  it('keeps only the three fields of what a plugin passes, as plain data', () => {
    const log = new RunWarnings();
    const odd = Object.assign(Object.create({ inherited: 1 }), {
      code: 'UNSUPPORTED',
      message: 'm',
      address: undefined,
      extra: () => 1,
    }) as RunWarning;
    log.add(odd);
    assert.deepEqual(log.list, [{ code: 'UNSUPPORTED', message: 'm', count: 1 }]);
    assert.equal(JSON.stringify(log.list), '[{"code":"UNSUPPORTED","message":"m","count":1}]');
  });

  it(`keeps at most ${MAX_DISTINCT_WARNINGS} distinct warnings, then says how many more there were`, () => {
    const log = new RunWarnings();
    const entry = (i: number): RunWarning => ({ code: 'SMEAR', message: `entry ${i} smeared`, address: `0x${(0x1000 + i).toString(16)}` });
    for (let i = 0; i < MAX_DISTINCT_WARNINGS + 250; i++) log.add(entry(i));
    log.add(entry(0)); // one already kept still counts
    log.add(entry(MAX_DISTINCT_WARNINGS + 1)); // one beyond the cap, again
    const list = log.list;
    assert.equal(list.length, MAX_DISTINCT_WARNINGS + 1);
    assert.deepEqual(list[0], { ...entry(0), count: 2 });
    assert.deepEqual(list[MAX_DISTINCT_WARNINGS - 1], { ...entry(MAX_DISTINCT_WARNINGS - 1), count: 1 });
    assert.deepEqual(list.at(-1), {
      code: 'LIMIT',
      message: `and 251 more warning(s) not listed: a run keeps at most ${MAX_DISTINCT_WARNINGS} distinct ones`,
      count: 1,
    });
  });
});

describe('CLI warning lines', () => {
  it('one line: code, message, address and count when there are several', () => {
    assert.equal(
      warningLine({ code: 'SMEAR', message: 'process list loops back to 0xffffad8b2e3c7448: walk stopped', address: '0xffffad8b2f0a5080', count: 1 }),
      'memscope: warning [SMEAR] process list loops back to 0xffffad8b2e3c7448: walk stopped (at 0xffffad8b2f0a5080)\n',
    );
    assert.equal(warningLine({ code: 'LIMIT', message: 'too many hits', count: 12 }), 'memscope: warning [LIMIT] too many hits (×12)\n');
  });

  it('text from memory cannot break the line or drive the terminal', () => {
    const line = warningLine({ code: 'UNREADABLE', message: 'PID 7 (evil\n\x1b[2J): mm_struct not readable', address: '0x1000', count: 1 });
    assert.equal(line, 'memscope: warning [UNREADABLE] PID 7 (evil\\x0a\\x1b[2J): mm_struct not readable (at 0x1000)\n');
  });
});
