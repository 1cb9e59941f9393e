import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.ts';
import type { Session } from '../../src/engine/session.ts';
import { columnsFor } from '../../src/plugins/plugin-definition.ts';
import type { PluginOptions } from '../../src/plugins/plugin.ts';
import { builtinPlugins, findPlugin } from '../../src/plugins/registry.ts';
import type { ExpectedProcess } from '../fixtures/windows/expected.ts';
import { linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
import { processRow } from '../helpers/windows-process-rows.ts';
import { collect, hexBig, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

/** The options `memscope -f IMAGE PLUGIN ARGS…` runs the plugin with. */
function cliOptions(plugin: string, ...args: string[]): PluginOptions {
  const command = parseCli(['-f', 'memory.raw', plugin, ...args], builtinPlugins);
  assert.equal(command.kind, 'run');
  return command.kind === 'run' ? command.options : {};
}

describe('--pid given twice on a generated Windows 10 image', () => {
  let session: Session;
  let processes: readonly ExpectedProcess[];
  before(async () => {
    const { image, expected } = await windowsImage({ size: 32 * 1024 * 1024, seed: 7 });
    processes = expected.processes;
    session = await openWindowsSession(image);
  });
  after(() => session?.close());
  const byPid = (pid: number) => processes.find((p) => p.pid === pid)!;

  it('windows.pslist lists exactly those two processes, in list order', async () => {
    const lsass = processes.find((p) => p.linked && p.name === 'lsass.exe')!;
    const rows = await collect(session, 'windows.pslist', cliOptions('windows.pslist', '--pid', String(lsass.pid), '--pid', '4'));
    assert.deepEqual(
      rows.map((r) => r.values),
      [byPid(4), lsass].map((p) => processRow(p, hexBig(p.eprocessVirtual))),
    );
  });

  it('windows.psscan finds both, a hidden one among them; windows.pslist only the linked one', async () => {
    const hidden = processes.find((p) => p.hidden)!;
    const args = ['--pid', `4,${hidden.pid}`];
    const scanned = await collect(session, 'windows.psscan', cliOptions('windows.psscan', ...args));
    assert.deepEqual(
      scanned.map((r) => r.values[0]).sort((a, b) => Number(a) - Number(b)),
      [4, hidden.pid],
    );
    const listed = await collect(session, 'windows.pslist', cliOptions('windows.pslist', ...args));
    assert.deepEqual(
      listed.map((r) => r.values[0]),
      [4],
    );
  });
});

interface TruthProcess {
  readonly pid: number;
  readonly comm: string;
  readonly kernel_thread: boolean;
}

describe('--pid given twice on the real Linux 6.1 image', { skip: linuxFixtureSkipReason() }, () => {
  let session: Session;
  before(async () => {
    session = await openLinuxSession('linux-a.raw');
  });
  after(() => session?.close());
  const truth = () => linuxTruth()['processes'] as TruthProcess[];

  it('linux.pslist lists exactly those two processes, in task-list order', async () => {
    const user = truth()
      .filter((p) => !p.kernel_thread)
      .at(-1)!;
    const kthread = truth().find((p) => p.pid === 4)!;
    const rows = await rowsByColumn(session, 'linux.pslist', cliOptions('linux.pslist', '--pid', String(user.pid), '--pid', '4'));
    assert.deepEqual(
      rows.map((r) => [r['PID'], r['COMM']]),
      [kthread, user].map((p) => [p.pid, p.comm]),
    );
  });

  it('linux.mountinfo: the PID column its options add, and each process’s namespace in turn', async () => {
    const kdevtmpfs = truth().find((p) => p.comm === 'kdevtmpfs')!;
    const options = cliOptions('linux.mountinfo', '--pid', `1 ${kdevtmpfs.pid}`);
    assert.deepEqual(
      columnsFor(findPlugin('linux.mountinfo')!, options)
        .slice(0, 2)
        .map((c) => c.name),
      ['MNT_NS_ID', 'PID'],
    );
    const both = await collect(session, 'linux.mountinfo', options);
    const one = async (pid: number) => collect(session, 'linux.mountinfo', { pid: [pid] });
    assert.deepEqual(both, [...(await one(1)), ...(await one(kdevtmpfs.pid))]);
    assert.deepEqual(new Set(both.map((r) => r.values[1])), new Set([1, kdevtmpfs.pid]));
  });
});
