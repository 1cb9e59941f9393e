// Published (memscope/plugin): the Windows kernel context (ctx.windows()) and what it reads. Imports only memory.ts.

import type { KernelContext, StructReader, VirtualMemory } from './memory.ts';

/** An _EPROCESS as the process plugins report it. */
export interface WindowsProcess {
  /** The whole _EPROCESS, for fields not below. */
  readonly view: StructReader;
  /** Kernel virtual address of the _EPROCESS; null when it was found in physical memory and the kernel does not map it. */
  readonly offset: bigint | null;
  /** Its physical address; null when not mapped. */
  readonly physical: number | null;
  readonly pid: number;
  readonly ppid: number;
  /** ImageFileName: at most 15 bytes of the executable's name. */
  readonly name: string;
  readonly threads: number;
  /** ISO-8601 UTC ("2020-01-02T03:04:05+00:00"); null when unset. */
  readonly createTime: string | null;
  readonly exitTime: string | null;
  /** Pcb.DirectoryTableBase: the process's page-table root (CR3). */
  readonly dtb: bigint;
  /** A 32-bit process on 64-bit Windows. */
  readonly wow64: boolean;
}

/** From the process's PEB (_RTL_USER_PROCESS_PARAMETERS); null where unreadable (paged out, no PEB). */
export interface ProcessParameters {
  readonly imagePath: string | null;
  readonly commandLine: string | null;
}

/** What _KUSER_SHARED_DATA says about the system. */
export interface SharedUserData {
  readonly ntMajorVersion: number;
  readonly ntMinorVersion: number;
  readonly ntBuildNumber: number | null;
  /** _NT_PRODUCT_TYPE's name: NtProductWinNt, NtProductServer, ... */
  readonly ntProductType: string;
  readonly ntSystemRoot: string;
  /** The system clock when the image was taken, ISO-8601 UTC. */
  readonly systemTime: string | null;
}

/** The kernel image (ntoskrnl) as its PE header tells it. */
export interface WindowsKernelImage {
  readonly base: bigint;
  readonly machine: number;
  readonly timeDateStamp: number;
  readonly majorOperatingSystemVersion: number;
  readonly minorOperatingSystemVersion: number;
}

/** The Windows kernel as one run reads it: the kernel context plus the process structures. */
export interface WindowsKernelContext extends KernelContext {
  readonly image: WindowsKernelImage;
  /** Physical address of the kernel's page-table root (the System process's DirectoryTableBase). */
  readonly dtb: number;
  /** The active process list (PsActiveProcessHead) in list order, cycle and length guarded. */
  processes(): AsyncIterable<WindowsProcess>;
  /**
   * _EPROCESS allocations found by a pool-tag scan of physical memory, validated: unlinked (hidden) and exited
   * processes too, each once. Reports the run's progress.
   */
  scanProcesses(): AsyncIterable<WindowsProcess>;
  /** The process's own address space (its DirectoryTableBase; the kernel half is shared). */
  processSpace(process: WindowsProcess): VirtualMemory;
  processParameters(process: WindowsProcess): Promise<ProcessParameters>;
  /** _HANDLE_TABLE.HandleCount; null where this Windows version keeps none (Windows 10) or it is unreadable. */
  handleCount(process: WindowsProcess): Promise<number | null>;
  /** Null for processes without a session (System, smss, Registry). */
  sessionId(process: WindowsProcess): Promise<number | null>;
  sharedUserData(): Promise<SharedUserData | null>;
  /** The text of the _UNICODE_STRING at `address`; null when it or its buffer is unreadable. */
  readUnicodeString(address: bigint, space?: VirtualMemory): Promise<string | null>;
}
