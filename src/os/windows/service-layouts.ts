/**
 * Where services.exe (x64) keeps what windows.svcscan reports, per build range. Its structures are in services.exe's
 * own symbols, not the kernel's, so these are facts: the offsets of Volatility 3's svcscan tables
 * (volatility3/framework/symbols/windows/services/services-<version>-x64.json), with its choice of table by build
 * (17763 x64 uses 16299's; 22000 19041's). test/fixtures/windows/service-layouts.ts mirrors this for the generator.
 *
 * The service database (Vista on) is found through a header in services.exe's heap: 'serH' at an 8-aligned address,
 * +0x10 → the newest _SERVICE_RECORD; each record's PrevEntry → the one created before it (NULL for the first).
 * A record's names are pointers to NUL-terminated UTF-16; the `process` field is a Win32 service's
 * _SERVICE_PROCESS (BinaryPath → UTF-16, ProcessId u32) or a driver's object name (→ UTF-16, "\Driver\ACPI").
 */

export interface ServiceRecordLayout {
  /** Volatility's table ("services-win10-19041-x64"). */
  readonly name: string;
  readonly prevEntry: number;
  readonly order: number;
  readonly start: number;
  readonly serviceName: number;
  readonly displayName: number;
  readonly type: number;
  readonly state: number;
  /** ServiceProcess (Win32 services) and DriverName (drivers) share it, except from 25398 on. */
  readonly serviceProcess: number;
  readonly driverName: number;
  /** _SERVICE_PROCESS.BinaryPath and .ProcessId. */
  readonly binaryPath: number;
  readonly processId: number;
}

export const HEADER_TAG = 'serH';
/** _SERVICE_HEADER.ServiceRecord. */
export const HEADER_RECORD = 0x10;

const WIN10 = { prevEntry: 0x10, order: 0x20, start: 0x24, serviceName: 0x38, displayName: 0x40, type: 0x48, state: 0x4c, binaryPath: 0x18 };

/** By first build, ascending; a build uses the last entry at or below it. */
const LAYOUTS: readonly (readonly [number, ServiceRecordLayout])[] = [
  [
    9200,
    {
      name: 'services-win8-x64',
      prevEntry: 0x8,
      order: 0x20,
      start: 0x5c,
      serviceName: 0x10,
      displayName: 0x18,
      type: 0x40,
      state: 0x44,
      serviceProcess: 0x38,
      driverName: 0x38,
      binaryPath: 0x18,
      processId: 0x20,
    },
  ],
  [15063, { name: 'services-win10-15063-x64', ...WIN10, serviceProcess: 0xe8, driverName: 0xe8, processId: 0x20 }],
  [16299, { name: 'services-win10-16299-x64', ...WIN10, serviceProcess: 0xe8, driverName: 0xe8, processId: 0x28 }],
  [18362, { name: 'services-win10-18362-x64', ...WIN10, serviceProcess: 0xf0, driverName: 0xf0, processId: 0x28 }],
  [19041, { name: 'services-win10-19041-x64', ...WIN10, serviceProcess: 0x128, driverName: 0x128, processId: 0x28 }],
  [25398, { name: 'services-win10-25398-x64', ...WIN10, type: 0x50, state: 0x54, serviceProcess: 0x150, driverName: 0x128, processId: 0x28 }],
];

/** The layout for a build; null before Windows 8. */
export function serviceRecordLayout(build: number): ServiceRecordLayout | null {
  let found: ServiceRecordLayout | null = null;
  for (const [first, layout] of LAYOUTS) if (build >= first) found = layout;
  return found;
}

/** Bytes of a record the reader needs (to the end of its last field read). */
export function recordExtent(l: ServiceRecordLayout): number {
  return Math.max(l.serviceProcess, l.driverName, l.serviceName, l.displayName, l.prevEntry) + 8;
}

/** StartEnum and StateEnum of Volatility's tables. */
export const SERVICE_START: readonly string[] = [
  'SERVICE_BOOT_START',
  'SERVICE_SYSTEM_START',
  'SERVICE_AUTO_START',
  'SERVICE_DEMAND_START',
  'SERVICE_DISABLED',
];
export const SERVICE_STATE: ReadonlyMap<number, string> = new Map([
  [1, 'SERVICE_STOPPED'],
  [2, 'SERVICE_START_PENDING'],
  [3, 'SERVICE_STOP_PENDING'],
  [4, 'SERVICE_RUNNING'],
  [5, 'SERVICE_CONTINUE_PENDING'],
  [6, 'SERVICE_PAUSE_PENDING'],
  [7, 'SERVICE_PAUSED'],
]);

/** The service type bits Volatility names, in its order (others, such as SERVICE_USER_SERVICE 0x40, are not named). */
export const SERVICE_TYPE_BITS: readonly (readonly [number, string])[] = [
  [0x1, 'SERVICE_KERNEL_DRIVER'],
  [0x2, 'SERVICE_FILE_SYSTEM_DRIVER'],
  [0x4, 'SERVICE_ADAPTOR'],
  [0x8, 'SERVICE_RECOGNIZER_DRIVER'],
  [0x10, 'SERVICE_WIN32_OWN_PROCESS'],
  [0x20, 'SERVICE_WIN32_SHARE_PROCESS'],
  [0x100, 'SERVICE_INTERACTIVE_PROCESS'],
];
