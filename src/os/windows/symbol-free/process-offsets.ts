/**
 * Where _EPROCESS keeps what the process plugins read, per kernel build, as data: the offsets of the 17763,
 * 19041 (the kernel of 20H1 to 22H2) and 22000 kernels' PDBs (test/node/windows-symbol-free.test.ts checks them
 * against the ISFs); those of 22621 (22H2 and 23H2) and 26100 (24H2 and 25H2), read from the type listings
 * generated from Microsoft's PDBs that the ntdiff/headers project publishes (no ISF of them is here); and the
 * distances between fields that all of them share, which give a first guess on builds not listed. Nothing here is
 * trusted: process-discovery.ts validates every offset on the image before use.
 */

/** _EPROCESS offsets (Pcb, the _KPROCESS, is at 0). */
export interface ProcessOffsets {
  /** Pcb.DirectoryTableBase. */
  readonly directoryTableBase: number;
  readonly uniqueProcessId: number;
  readonly activeProcessLinks: number;
  readonly createTime: number;
  /** null where the build is not known: ExitTime is 0 for every process on the active list, so nothing there tells it. */
  readonly exitTime: number | null;
  readonly inheritedFromUniqueProcessId: number;
  /** An _EX_FAST_REF to the primary token; null where no known distance from UniqueProcessId holds. */
  readonly token: number | null;
  readonly peb: number;
  readonly session: number;
  readonly objectTable: number;
  readonly wow64Process: number;
  readonly imageFileName: number;
  readonly seAuditProcessCreationInfo: number;
  readonly threadListHead: number;
  readonly activeThreads: number;
}

const WINDOWS_10_1809: ProcessOffsets = {
  directoryTableBase: 0x28,
  uniqueProcessId: 0x2e0,
  activeProcessLinks: 0x2e8,
  createTime: 0x308,
  exitTime: 0x690,
  inheritedFromUniqueProcessId: 0x3e0,
  token: 0x358,
  peb: 0x3f8,
  session: 0x400,
  objectTable: 0x418,
  wow64Process: 0x428,
  imageFileName: 0x450,
  seAuditProcessCreationInfo: 0x468,
  threadListHead: 0x488,
  activeThreads: 0x498,
};

/** 19041, 22000 and 22621 lay out these fields alike. */
const WINDOWS_10_2004: ProcessOffsets = {
  directoryTableBase: 0x28,
  uniqueProcessId: 0x440,
  activeProcessLinks: 0x448,
  createTime: 0x468,
  exitTime: 0x840,
  inheritedFromUniqueProcessId: 0x540,
  token: 0x4b8,
  peb: 0x550,
  session: 0x558,
  objectTable: 0x570,
  wow64Process: 0x580,
  imageFileName: 0x5a8,
  seAuditProcessCreationInfo: 0x5c0,
  threadListHead: 0x5e0,
  activeThreads: 0x5f0,
};

/** 24H2 shrank _KPROCESS to 0x1c8 bytes: everything after it moved down. */
const WINDOWS_11_24H2: ProcessOffsets = {
  directoryTableBase: 0x28,
  uniqueProcessId: 0x1d0,
  activeProcessLinks: 0x1d8,
  createTime: 0x1f8,
  exitTime: 0x5c0,
  inheritedFromUniqueProcessId: 0x2d0,
  token: 0x248,
  peb: 0x2e0,
  session: 0x2e8,
  objectTable: 0x300,
  wow64Process: 0x310,
  imageFileName: 0x338,
  seAuditProcessCreationInfo: 0x350,
  threadListHead: 0x370,
  activeThreads: 0x380,
};

/**
 * Known layouts by NtBuildNumber. Releases delivered as enablement packages run their base release's kernel; the
 * build numbers they report (19042-19045, 22631, 26200) are listed with it.
 */
export const KNOWN_PROCESS_OFFSETS: ReadonlyMap<number, ProcessOffsets> = new Map([
  [17763, WINDOWS_10_1809],
  ...[19041, 19042, 19043, 19044, 19045, 22000, 22621, 22631].map((build) => [build, WINDOWS_10_2004] as const),
  ...[26100, 26200].map((build) => [build, WINDOWS_11_24H2] as const),
]);

/** Distances every known layout shares, from the field each is measured from. */
export const RELATIONS = {
  /** From UniqueProcessId. */
  activeProcessLinks: 8,
  createTime: 0x28,
  token: 0x78,
  /** From Peb. */
  session: 8,
  objectTable: 0x20,
  wow64Process: 0x30,
  /** From ImageFileName. */
  seAuditProcessCreationInfo: 0x18,
  threadListHead: 0x38,
  activeThreads: 0x48,
} as const;

/** The DirectoryTableBase of every known _KPROCESS. */
export const DIRECTORY_TABLE_BASE = 0x28;
