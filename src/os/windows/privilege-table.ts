/**
 * The privileges a _TOKEN's _SEP_TOKEN_PRIVILEGES masks can hold: bit n is the privilege whose LUID is n. Names
 * as Windows defines them (winnt.h SE_*_NAME), descriptions as Volatility 3's windows.privileges shows them
 * (its sids_and_privileges.json), so the rows read alike.
 */

export interface PrivilegeInfo {
  /** The privilege's LUID: its bit in Present / Enabled / EnabledByDefault. */
  readonly value: number;
  readonly name: string;
  readonly description: string;
}

export const PRIVILEGES: readonly PrivilegeInfo[] = [
  { value: 2, name: 'SeCreateTokenPrivilege', description: 'Create a token object' },
  { value: 3, name: 'SeAssignPrimaryTokenPrivilege', description: 'Replace a process-level token' },
  { value: 4, name: 'SeLockMemoryPrivilege', description: 'Lock pages in memory' },
  { value: 5, name: 'SeIncreaseQuotaPrivilege', description: 'Increase quotas' },
  { value: 6, name: 'SeMachineAccountPrivilege', description: 'Add workstations to the domain' },
  { value: 7, name: 'SeTcbPrivilege', description: 'Act as part of the operating system' },
  { value: 8, name: 'SeSecurityPrivilege', description: 'Manage auditing and security log' },
  { value: 9, name: 'SeTakeOwnershipPrivilege', description: 'Take ownership of files/objects' },
  { value: 10, name: 'SeLoadDriverPrivilege', description: 'Load and unload device drivers' },
  { value: 11, name: 'SeSystemProfilePrivilege', description: 'Profile system performance' },
  { value: 12, name: 'SeSystemtimePrivilege', description: 'Change the system time' },
  { value: 13, name: 'SeProfileSingleProcessPrivilege', description: 'Profile a single process' },
  { value: 14, name: 'SeIncreaseBasePriorityPrivilege', description: 'Increase scheduling priority' },
  { value: 15, name: 'SeCreatePagefilePrivilege', description: 'Create a pagefile' },
  { value: 16, name: 'SeCreatePermanentPrivilege', description: 'Create permanent shared objects' },
  { value: 17, name: 'SeBackupPrivilege', description: 'Backup files and directories' },
  { value: 18, name: 'SeRestorePrivilege', description: 'Restore files and directories' },
  { value: 19, name: 'SeShutdownPrivilege', description: 'Shut down the system' },
  { value: 20, name: 'SeDebugPrivilege', description: 'Debug programs' },
  { value: 21, name: 'SeAuditPrivilege', description: 'Generate security audits' },
  { value: 22, name: 'SeSystemEnvironmentPrivilege', description: 'Edit firmware environment values' },
  { value: 23, name: 'SeChangeNotifyPrivilege', description: 'Receive notifications of changes to files or directories' },
  { value: 24, name: 'SeRemoteShutdownPrivilege', description: 'Force shutdown from a remote system' },
  { value: 25, name: 'SeUndockPrivilege', description: 'Remove computer from docking station' },
  { value: 26, name: 'SeSyncAgentPrivilege', description: 'Synch directory service data' },
  { value: 27, name: 'SeEnableDelegationPrivilege', description: 'Enable user accounts to be trusted for delegation' },
  { value: 28, name: 'SeManageVolumePrivilege', description: 'Manage the files on a volume' },
  { value: 29, name: 'SeImpersonatePrivilege', description: 'Impersonate a client after authentication' },
  { value: 30, name: 'SeCreateGlobalPrivilege', description: 'Create global objects' },
  { value: 31, name: 'SeTrustedCredManAccessPrivilege', description: 'Access Credential Manager as a trusted caller' },
  { value: 32, name: 'SeRelabelPrivilege', description: 'Modify the mandatory integrity level of an object' },
  { value: 33, name: 'SeIncreaseWorkingSetPrivilege', description: 'Allocate more memory for user applications' },
  { value: 34, name: 'SeTimeZonePrivilege', description: "Adjust the time zone of the computer's internal clock" },
  { value: 35, name: 'SeCreateSymbolicLinkPrivilege', description: 'Required to create a symbolic link' },
  {
    value: 36,
    name: 'SeDelegateSessionUserImpersonatePrivilege',
    description: 'Obtain an impersonation token for another user in the same session.',
  },
];
