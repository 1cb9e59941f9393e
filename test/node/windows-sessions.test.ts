/**
 * windows.sessions on generated images of each Windows kernel: the linked processes grouped by session in the order
 * each session is first seen, with the session type and user the generator wrote into each environment block.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, toVolatilityTime, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** Session ID, Session Type, Process ID, Process, User Name, Create Time — as Volatility 3 derives them. */
function sessionRow(p: ExpectedProcess): unknown[] {
  const variables = p.environment?.variables ?? [];
  const value = (name: string) => variables.find(([n, v]) => n.toLowerCase() === name && n !== '' && v !== '')?.[1];
  const user = `${value('userdomain') ?? ''}/${value('username') ?? ''}`;
  return [p.sessionId, value('sessionname') ?? null, p.pid, p.name, user === '/' ? null : user, toVolatilityTime(p.createTime)];
}

/** Rows grouped by session, sessions in order of their first process. */
function expectedRows(processes: readonly ExpectedProcess[]): unknown[][] {
  const groups = new Map<number | null, unknown[][]>();
  for (const p of processes.filter((q) => q.linked)) groups.set(p.sessionId, [...(groups.get(p.sessionId) ?? []), sessionRow(p)]);
  return [...groups.values()].flat();
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.sessions on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });

    it('groups the linked processes by session, with session type and user from their environment', async () => {
      const { image: written, expected } = await image();
      const { rows } = await collectRun(await openWindowsSession(written, { symbolDirs: [kernel.symbolDir] }), 'windows.sessions');
      const listed = rows.map((r) => [...r.values]);
      assert.deepEqual(listed, expectedRows(expected.processes));
      assert.ok(
        listed.some((r) => typeof r[4] === 'string' && r[1] !== null),
        'some process tells its user and session type',
      );
    });

    it('--pid narrows it to those processes', async () => {
      const { image: written, expected } = await image();
      const users = expected.processes.filter((p) => p.linked && p.sessionId === 1).slice(0, 2);
      const { rows } = await collectRun(await openWindowsSession(written, { symbolDirs: [kernel.symbolDir] }), 'windows.sessions', {
        pid: users.map((p) => p.pid),
      });
      assert.deepEqual(
        rows.map((r) => r.values[2]),
        users.map((p) => p.pid),
      );
    });
  });
}
