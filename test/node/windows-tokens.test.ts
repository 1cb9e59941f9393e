/**
 * windows.getsids and windows.privileges on generated images of each Windows kernel: the rows the generator's
 * tokens (expected.json: user, groups, privilege masks) should give, named from a small table written here
 * (not the analyzer's), --pid, the token pointer into unmapped memory, and hostile tokens.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ExpectedProcess, ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { loadIsf } from '../fixtures/windows/isf.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** The names Volatility 3 gives the SIDs the generator uses (its well-known table, in its words). */
const SID_NAMES: Readonly<Record<string, string>> = {
  'S-1-1-0': 'Everyone',
  'S-1-2-0': 'Local (Users with the ability to log in locally)',
  'S-1-2-1': 'Console Logon (Users who are logged onto the physical console)',
  'S-1-5-4': 'Interactive',
  'S-1-5-6': 'Service',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-15': 'This Organization',
  'S-1-5-18': 'Local System',
  'S-1-5-19': 'NT Authority',
  'S-1-5-20': 'NT Authority',
  'S-1-5-32-544': 'Administrators',
  'S-1-5-32-545': 'Users',
  'S-1-5-64-10': 'NTLM Authentication',
  'S-1-16-8192': 'Medium Mandatory Level',
  'S-1-16-12288': 'High Mandatory Level',
  'S-1-16-16384': 'System Mandatory Level',
};
/** Services Volatility names by their service SID, as it spells them (SecurityHealthService is not among them). */
const SERVICES = [
  'Schedule',
  'Dhcp',
  'eventlog',
  'Dnscache',
  'DPS',
  'LanmanWorkstation',
  'BITS',
  'Themes',
  'Audiosrv',
  'WinHttpAutoProxySvc',
  'CryptSvc',
  'W32Time',
  'WinDefend',
  'WSearch',
];
const SERVICE_SIDS = new Map(
  SERVICES.map((name) => {
    const d = createHash('sha1').update(Buffer.from(name.toUpperCase(), 'utf16le')).digest();
    return [`S-1-5-80-${[0, 4, 8, 12, 16].map((o) => d.readUInt32LE(o)).join('-')}`, name];
  }),
);

function sidName(sid: string): string | null {
  if (SID_NAMES[sid]) return SID_NAMES[sid];
  if (SERVICE_SIDS.has(sid)) return SERVICE_SIDS.get(sid)!;
  if (/^S-1-5-21-\d+-\d+-\d+-513$/.test(sid)) return 'Domain Users';
  if (/^S-1-5-5-\d+-\d+$/.test(sid)) return 'Logon Session';
  return null; // the user (named from the registry by Volatility), virtual accounts, unknown services
}

/** Value, name and description of every privilege, as Volatility 3 lists them. */
const PRIVILEGES: readonly (readonly [number, string, string])[] = [
  [2, 'SeCreateTokenPrivilege', 'Create a token object'],
  [3, 'SeAssignPrimaryTokenPrivilege', 'Replace a process-level token'],
  [4, 'SeLockMemoryPrivilege', 'Lock pages in memory'],
  [5, 'SeIncreaseQuotaPrivilege', 'Increase quotas'],
  [6, 'SeMachineAccountPrivilege', 'Add workstations to the domain'],
  [7, 'SeTcbPrivilege', 'Act as part of the operating system'],
  [8, 'SeSecurityPrivilege', 'Manage auditing and security log'],
  [9, 'SeTakeOwnershipPrivilege', 'Take ownership of files/objects'],
  [10, 'SeLoadDriverPrivilege', 'Load and unload device drivers'],
  [11, 'SeSystemProfilePrivilege', 'Profile system performance'],
  [12, 'SeSystemtimePrivilege', 'Change the system time'],
  [13, 'SeProfileSingleProcessPrivilege', 'Profile a single process'],
  [14, 'SeIncreaseBasePriorityPrivilege', 'Increase scheduling priority'],
  [15, 'SeCreatePagefilePrivilege', 'Create a pagefile'],
  [16, 'SeCreatePermanentPrivilege', 'Create permanent shared objects'],
  [17, 'SeBackupPrivilege', 'Backup files and directories'],
  [18, 'SeRestorePrivilege', 'Restore files and directories'],
  [19, 'SeShutdownPrivilege', 'Shut down the system'],
  [20, 'SeDebugPrivilege', 'Debug programs'],
  [21, 'SeAuditPrivilege', 'Generate security audits'],
  [22, 'SeSystemEnvironmentPrivilege', 'Edit firmware environment values'],
  [23, 'SeChangeNotifyPrivilege', 'Receive notifications of changes to files or directories'],
  [24, 'SeRemoteShutdownPrivilege', 'Force shutdown from a remote system'],
  [25, 'SeUndockPrivilege', 'Remove computer from docking station'],
  [26, 'SeSyncAgentPrivilege', 'Synch directory service data'],
  [27, 'SeEnableDelegationPrivilege', 'Enable user accounts to be trusted for delegation'],
  [28, 'SeManageVolumePrivilege', 'Manage the files on a volume'],
  [29, 'SeImpersonatePrivilege', 'Impersonate a client after authentication'],
  [30, 'SeCreateGlobalPrivilege', 'Create global objects'],
  [31, 'SeTrustedCredManAccessPrivilege', 'Access Credential Manager as a trusted caller'],
  [32, 'SeRelabelPrivilege', 'Modify the mandatory integrity level of an object'],
  [33, 'SeIncreaseWorkingSetPrivilege', 'Allocate more memory for user applications'],
  [34, 'SeTimeZonePrivilege', "Adjust the time zone of the computer's internal clock"],
  [35, 'SeCreateSymbolicLinkPrivilege', 'Required to create a symbolic link'],
  [36, 'SeDelegateSessionUserImpersonatePrivilege', 'Obtain an impersonation token for another user in the same session.'],
];

function sidRows(p: ExpectedProcess): unknown[][] {
  if (!p.token) return [[p.pid, p.name, 'Token unreadable', '']];
  return [p.token.user, ...p.token.groups.map((g) => g.sid)].map((sid) => [p.pid, p.name, sid, sidName(sid)]);
}

function privilegeRows(p: ExpectedProcess): unknown[][] {
  if (!p.token) return [];
  return PRIVILEGES.map(([value, name, description]) => {
    const held = p.token!.privileges.find((x) => x.value === value);
    const attributes = [held?.present && 'Present', held?.enabled && 'Enabled', held?.enabledByDefault && 'Default'].filter(Boolean).join(',');
    return [p.pid, p.name, value, name, attributes, description];
  });
}

const linked = (e: ExpectedWindowsImage): ExpectedProcess[] => e.processes.filter((p) => p.linked);
const byName = (e: ExpectedWindowsImage, name: string): ExpectedProcess => e.processes.find((p) => p.name === name && p.linked)!;

/** The one warning a run gives: OneDrive.exe's token points into memory that is not mapped. */
function assertUnreadableTokenWarning(
  expected: ExpectedWindowsImage,
  warnings: readonly { code: string; message: string; address?: string }[],
): void {
  const p = byName(expected, 'OneDrive.exe');
  assert.equal(p.token, null);
  const address = `0x${(BigInt(p.tokenRef) & ~0xfn).toString(16)}`;
  assert.deepEqual(
    warnings.map((w) => ({ code: w.code, address: w.address, pid: w.message.includes(`PID ${p.pid} `), at: w.message.includes(address) })),
    [{ code: 'UNREADABLE', address, pid: true, at: true }],
  );
}

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.getsids and windows.privileges on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('the generator gave the processes the tokens a responder would expect', async () => {
      const { expected } = await image();
      const system = byName(expected, 'System').token!;
      assert.equal(system.user, 'S-1-5-18');
      assert.ok(system.groups.some((g) => g.sid === 'S-1-16-16384'));
      const explorer = byName(expected, 'explorer.exe').token!;
      assert.match(explorer.user, /^S-1-5-21-\d+-\d+-\d+-1001$/);
      assert.ok(explorer.groups.some((g) => g.sid === 'S-1-16-8192') && explorer.groups.some((g) => /^S-1-5-5-0-\d+$/.test(g.sid)));
      const debug = (p: ExpectedProcess) => p.token?.privileges.find((x) => x.value === 20);
      assert.equal(debug(byName(expected, 'explorer.exe')), undefined);
      assert.deepEqual(debug(byName(expected, 'cmd.exe')), { value: 20, present: true, enabled: true, enabledByDefault: false });
      assert.ok(expected.processes.some((p) => p.token?.user === 'S-1-5-19') && expected.processes.some((p) => p.token?.user === 'S-1-5-20'));
    });

    it('windows.getsids gives every SID of every listed token, named, and says which token is unreadable', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.getsids');
      assert.deepEqual(
        rows.map((r) => r.values),
        linked(expected).flatMap(sidRows),
      );
      assertUnreadableTokenWarning(expected, warnings);
    });

    it('windows.privileges gives every privilege of every readable token with its attributes', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.privileges');
      assert.deepEqual(
        rows.map((r) => r.values),
        linked(expected).flatMap(privilegeRows),
      );
      assertUnreadableTokenWarning(expected, warnings);
    });

    it('--pid limits both to the processes named', async () => {
      const { expected } = await image();
      const s = await session();
      const cmd = byName(expected, 'cmd.exe');
      const explorer = byName(expected, 'explorer.exe');
      const sids = await collectRun(s, 'windows.getsids', { pid: [explorer.pid, cmd.pid] });
      assert.deepEqual(
        sids.rows.map((r) => r.values),
        linked(expected)
          .filter((p) => p === cmd || p === explorer)
          .flatMap(sidRows),
      );
      assert.deepEqual(sids.warnings, []);
      const privileges = await collectRun(s, 'windows.privileges', { pid: [cmd.pid] });
      assert.deepEqual(
        privileges.rows.map((r) => r.values),
        privilegeRows(cmd),
      );
      assert.deepEqual(privileges.rows.find((r) => r.values[3] === 'SeDebugPrivilege')?.values, [
        cmd.pid,
        cmd.name,
        20,
        'SeDebugPrivilege',
        'Present,Enabled',
        'Debug programs',
      ]);
    });
  });
}

describe('hostile tokens give bounded rows and warnings, never a hang or crash', () => {
  const kernel = WINDOWS_KERNELS[0]!;
  const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });

  /** explorer.exe's token, where it lies in the image, and a patched copy of the image. */
  async function patched(patch: (image: DataView, token: { physical: number; virtual: bigint }, field: (path: string) => number) => void) {
    const { image: bytes, expected } = await image();
    const isf = await loadIsf(kernel.isfPath);
    const explorer = byName(expected, 'explorer.exe');
    const copy = bytes.slice();
    const token = { physical: Number(explorer.token!.physical), virtual: BigInt(explorer.token!.virtual) };
    patch(new DataView(copy.buffer), token, (path) => isf.offsetOf('_TOKEN', path));
    const s = await openWindowsSession(copy, { symbolDirs: [kernel.symbolDir] });
    return { explorer, run: (plugin: string) => collectRun(s, plugin, { pid: [explorer.pid] }) };
  }

  it('UserAndGroupCount = 0xffffffff: at most 1024 SIDs read, with a LIMIT warning', async () => {
    const { explorer, run } = await patched((dv, token, field) => dv.setUint32(token.physical + field('UserAndGroupCount'), 0xffffffff, true));
    const { rows, warnings } = await run('windows.getsids');
    assert.ok(rows.length <= 1024, `${rows.length} rows`);
    assert.deepEqual(
      rows.slice(0, 1 + explorer.token!.groups.length).map((r) => r.values),
      sidRows(explorer),
    );
    assert.ok(
      warnings.some((w) => w.code === 'LIMIT' && w.message.includes('4294967295')),
      JSON.stringify(warnings),
    );
    // The privileges are unaffected.
    assert.deepEqual(
      (await run('windows.privileges')).rows.map((r) => r.values),
      privilegeRows(explorer),
    );
  });

  it('a SID claiming 200 sub-authorities ends the list with a SMEAR warning', async () => {
    const bad = 3;
    const { explorer, run } = await patched((dv, token, field) => {
      // The SIDs lie in the token's own pool block, so virtual offsets from the token hold physically too.
      const physical = (va: bigint): number => token.physical + Number(va - token.virtual);
      const array = dv.getBigUint64(token.physical + field('UserAndGroups'), true);
      const sid = dv.getBigUint64(physical(array) + 16 * bad, true);
      dv.setUint8(physical(sid) + 1, 200); // SubAuthorityCount
    });
    const { rows, warnings } = await run('windows.getsids');
    assert.deepEqual(
      rows.map((r) => r.values),
      sidRows(explorer).slice(0, bad),
    );
    assert.ok(
      warnings.some((w) => w.code === 'SMEAR' && w.message.includes('not a valid SID')),
      JSON.stringify(warnings),
    );
  });
});
