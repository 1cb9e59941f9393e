/**
 * yarascan.yarascan --owners: the processes mapping each physical match. Truth: the generator's injected code (each
 * in its own process's private VAD at a known address) and, on the real Linux capture, linux.vmayarascan's hits
 * (found by walking each process's VMAs, not by reverse-mapping pages).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { linuxFixtureSkipReason } from '../helpers/linux-fixture.ts';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const OWNER_COLUMNS = ['PID', 'Process', 'Process Offset', 'Mapped By'];

describe('yarascan --owners', () => {
  it('names the process whose private memory holds each injected code block, at the address the generator put it', async () => {
    const { image, expected } = await windowsImage({ size: 16 * 1024 * 1024, seed: 5 });
    const injected = expected.processes
      .filter((p) => p.linked && p.vads)
      .flatMap((p) => (p.malfind ?? []).map((m) => ({ pid: p.pid, name: p.name, start: BigInt(m.start), first: m.first64.slice(0, 64) })));
    assert.ok(injected.length > 0, 'the image holds injected code');
    const rules = `rule injected { strings: ${injected.map((m, i) => `$i${i} = { ${m.first} }`).join(' ')} condition: any of them }`;
    const session = await openWindowsSession(image);
    try {
      const info = session.plugins().find((p) => p.name === 'yarascan.yarascan')!;
      const rows = await rowsWithColumns(session, { 'yara-rules': rules, owners: true }, info.columns.length + OWNER_COLUMNS.length);
      for (const m of injected) {
        const row = rows.find((r) => r['PID'] === m.pid && r['Process Offset'] === m.start);
        assert.ok(row, `PID ${m.pid}'s injected code at 0x${m.start.toString(16)}`);
        assert.equal(row['Process'], m.name);
        assert.equal(row['Mapped By'], 1, 'private memory: one process maps it');
      }
      for (const r of rows) assert.equal(r['PID'] === null, r['Mapped By'] === 0, 'N/A exactly where no process maps the match');
    } finally {
      await session.close();
    }
  });

  it('on memory with no OS: the owners are N/A, with a warning', async () => {
    const bytes = new Uint8Array(1024 * 1024);
    bytes.set(new TextEncoder().encode('needle'), 0x4321);
    const session = await openSession(new MemorySource(bytes, 'plain.raw'), await createNodeEnv({ symbolDirs: [], cache: false }));
    try {
      const run = session.run('yarascan.yarascan', { 'yara-string': 'needle', owners: true }, {});
      const rows = [];
      for await (const row of run) rows.push(row.values);
      assert.deepEqual(rows, [[0x4321n, 'r1', '$a', '6e 65 65 64 6c 65', null, null, null, 0]]);
      assert.deepEqual(
        run.warnings.map((w) => w.code),
        ['NOT_FOUND'],
      );
    } finally {
      await session.close();
    }
  });

  it(
    'on the real Linux capture: every match linux.vmayarascan finds in a process is owned by it there',
    { skip: linuxFixtureSkipReason() },
    async () => {
      const session = await openLinuxSession('linux-a.raw');
      try {
        const options = { 'yara-string': 'memimg' };
        const perProcess = await rowsByColumn(session, 'linux.vmayarascan', options);
        assert.ok(perProcess.length > 0, 'the processes hold the string');
        const info = session.plugins().find((p) => p.name === 'yarascan.yarascan')!;
        const physical = await rowsWithColumns(session, { ...options, owners: true }, info.columns.length + OWNER_COLUMNS.length);
        for (const hit of perProcess) {
          const owned = physical.find((r) => r['PID'] === hit['PID'] && r['Process Offset'] === hit['Offset']);
          assert.ok(owned, `PID ${String(hit['PID'])} at 0x${(hit['Offset'] as bigint).toString(16)}`);
          assert.equal(owned['Process'], hit['Process']);
        }
      } finally {
        await session.close();
      }
    },
  );
});

/** Rows by column name, for options that add OWNER_COLUMNS to the plugin's default ones. */
async function rowsWithColumns(session: Awaited<ReturnType<typeof openWindowsSession>>, options: Record<string, unknown>, width: number) {
  const names = ['Offset', 'Rule', 'Component', 'Value', ...OWNER_COLUMNS];
  assert.equal(names.length, width);
  const run = session.run('yarascan.yarascan', options as never, {});
  const rows: Record<string, unknown>[] = [];
  for await (const row of run) rows.push(Object.fromEntries(names.map((n, i) => [n, row.values[i]])));
  return rows;
}
