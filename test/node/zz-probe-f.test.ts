import { test } from 'node:test';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
test('probe', async () => {
  const s = await openLinuxSession('linux-a.raw');
  let t = Date.now();
  const e = await rowsByColumn(s, 'linux.elfs');
  console.log('elfs', Date.now() - t, e.length, e.slice(0, 3));
  t = Date.now();
  const m = await rowsByColumn(s, 'linux.malfind');
  console.log('malfind', Date.now() - t, m.length, m.slice(0, 3));
  const maps = await rowsByColumn(s, 'linux.proc.Maps', { pid: [104] });
  console.log(maps.map((r) => [r['Start'], r['End'], r['Flags'], r['File Path']]));
});
