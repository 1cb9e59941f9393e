/**
 * Where _EPROCESS keeps what the process plugins read, per kernel build, as data: the offsets of the 17763,
 * 19041 (the kernel of 20H1 to 22H2) and 22000 kernels' PDBs (test/node/symbol-free-layouts.test.ts checks them
 * against the ISFs), and the distances between fields that all of them share, which give a first guess on builds
 * not listed. Nothing here is trusted: process-discovery.ts validates every offset on the image before use.
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
  peb: 0x3f8,
  session: 0x400,
  objectTable: 0x418,
  wow64Process: 0x428,
  imageFileName: 0x450,
  seAuditProcessCreationInfo: 0x468,
  threadListHead: 0x488,
  activeThreads: 0x498,
};

/** 19041 and 22000 lay out these fields alike. */
const WINDOWS_10_2004: ProcessOffsets = {
  directoryTableBase: 0x28,
  uniqueProcessId: 0x440,
  activeProcessLinks: 0x448,
  createTime: 0x468,
  exitTime: 0x840,
  inheritedFromUniqueProcessId: 0x540,
  peb: 0x550,
  session: 0x558,
  objectTable: 0x570,
  wow64Process: 0x580,
  imageFileName: 0x5a8,
  seAuditProcessCreationInfo: 0x5c0,
  threadListHead: 0x5e0,
  activeThreads: 0x5f0,
};

/** Known layouts by NtBuildNumber. */
export const KNOWN_PROCESS_OFFSETS: ReadonlyMap<number, ProcessOffsets> = new Map([
  [17763, WINDOWS_10_1809],
  [19041, WINDOWS_10_2004],
  [22000, WINDOWS_10_2004],
]);

/** Distances every known layout shares, from the field each is measured from. */
export const RELATIONS = {
  /** From UniqueProcessId. */
  activeProcessLinks: 8,
  createTime: 0x28,
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
