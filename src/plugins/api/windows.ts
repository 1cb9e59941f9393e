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

/** An _ETHREAD as Volatility 3's windows.threads and windows.thrdscan report it. */
export interface WindowsThread {
  /** The whole _ETHREAD, for fields not below. */
  readonly view: StructReader;
  /** Kernel virtual address of the _ETHREAD; null when it was found in physical memory and the kernel does not map it. */
  readonly offset: bigint | null;
  /** Its physical address; null when not mapped. */
  readonly physical: number | null;
  /** Cid.UniqueProcess: the owning process's PID. */
  readonly pid: number;
  /** Cid.UniqueThread. */
  readonly tid: number;
  /** Tcb.Process: kernel virtual address of the owning _EPROCESS. */
  readonly process: bigint;
  /** StartAddress (user threads: ntdll's RtlUserThreadStart). */
  readonly startAddress: bigint;
  /** Win32StartAddress: the function the thread was created to run. */
  readonly win32StartAddress: bigint;
  /** ISO-8601 UTC; null when unset. */
  readonly createTime: string | null;
  /** null while the thread runs. */
  readonly exitTime: string | null;
}

/**
 * One row of Volatility 3's windows.netscan or windows.netstat: a TCP listener, TCP endpoint or UDP endpoint of
 * tcpip.sys found in pool or in tcpip's own tables. A listener or UDP endpoint bound to no address of an IPv6 (dual-stack) socket gives two rows, v4 then v6.
 */
export interface NetworkEndpoint {
  /** Kernel virtual address of the structure (after its pool header); null when the kernel does not map it. */
  readonly offset: bigint | null;
  /** Its physical address. */
  readonly physical: number;
  readonly protocol: 'TCPv4' | 'TCPv6' | 'UDPv4' | 'UDPv6';
  /** "10.0.2.15", "::" (RFC 5952), "0.0.0.0" for any; null when unreadable. */
  readonly localAddress: string | null;
  readonly localPort: number;
  /** "*" for UDP, the unspecified address for listeners; null when unreadable. */
  readonly foreignAddress: string | null;
  readonly foreignPort: number;
  /** TCP state ("LISTENING", "ESTABLISHED", "TIME_WAIT", ...); "" for UDP. */
  readonly state: string;
  /** Owner → _EPROCESS: its PID and ImageFileName; null when it is unreadable or not a process. */
  readonly pid: number | null;
  readonly owner: string | null;
  /** ISO-8601 UTC; null when unset or implausible (outside 1951..2199, as Volatility). */
  readonly createTime: string | null;
}

/** A _FILE_OBJECT found in pool (windows.filescan). */
export interface FileObject {
  /** Kernel virtual address of the object's body. */
  readonly offset: bigint;
  readonly physical: number;
  /** FileName, without the device's name ("\Windows\System32\config\SYSTEM"). */
  readonly name: string;
}

/** A _KMUTANT found in pool (windows.mutantscan). */
export interface MutantObject {
  /** Kernel virtual address of the object's body. */
  readonly offset: bigint;
  readonly physical: number;
  /** Its name header's Name; null when it has none or it is unreadable. */
  readonly name: string | null;
}

/** An _OBJECT_SYMBOLIC_LINK of the object manager ("C:" → "\Device\HarddiskVolume3"). */
export interface SymbolicLink {
  /** Kernel virtual address of the object's body. */
  readonly offset: bigint;
  /** Its name in its directory ("C:"), not the directory's path. */
  readonly name: string;
  /** LinkTarget. */
  readonly target: string;
  /** CreationTime, ISO-8601 UTC at whole seconds; null when unset. */
  readonly createTime: string | null;
}

/** An object in an object directory of the object manager's namespace. */
export interface ObjectDirectoryEntry {
  /** Its name in the directory ("GLOBAL??", "C:"). */
  readonly name: string;
  /** Its object type's name ("Directory", "SymbolicLink", "Device", ...). */
  readonly type: string;
  /** Kernel virtual address of the object's body. */
  readonly object: bigint;
}

/**
 * One entry of tcpip.sys's neighbour cache (ARP for IPv4, Neighbor Discovery for IPv6), as windows.arp reports it;
 * read in a working layout not yet confirmed on real captures (src/plugins/windows/arp.md).
 */
export interface WindowsNeighbour {
  /** Kernel virtual address of the entry (after its pool header); null when the kernel does not map it. */
  readonly offset: bigint | null;
  /** Its physical address. */
  readonly physical: number;
  readonly family: 'IPv4' | 'IPv6';
  /** "10.0.2.2", "fe80::2" (RFC 5952). */
  readonly ip: string;
  /** "52:54:00:12:35:02"; "" while there is none (Incomplete, Unreachable). */
  readonly mac: string;
  /** The interface's index (InterfaceIndex, as arp -a and Get-NetNeighbor give it). */
  readonly interfaceIndex: number;
  /** NL_NEIGHBOR_STATE as Get-NetNeighbor names it: Reachable, Stale, Permanent, Incomplete, Unreachable, ... */
  readonly state: string;
  /** IsRouter. */
  readonly router: boolean;
}

/**
 * One row of Volatility 3's windows.svcscan: a _SERVICE_RECORD of services.exe's service database, read in
 * services.exe's address space (its structures are laid out by build: they are not in the kernel's symbols).
 */
export interface ServiceRecord {
  /** Address of the record in services.exe's address space. */
  readonly offset: bigint;
  /** Order: the service's place in the database (creation order). */
  readonly order: number;
  /** The hosting process's PID, for a running Win32 service only; null otherwise or when unreadable. */
  readonly pid: number | null;
  /** "SERVICE_AUTO_START", "SERVICE_DEMAND_START", ... */
  readonly start: string;
  /** "SERVICE_RUNNING", "SERVICE_STOPPED", ... */
  readonly state: string;
  /** The type bits Volatility names, joined with '|' ("SERVICE_WIN32_SHARE_PROCESS"); "" for none. */
  readonly type: string;
  /** ServiceName and DisplayName; null when unreadable. */
  readonly name: string | null;
  readonly display: string | null;
  /**
   * For a running service only: a Win32 service's process's command line (BinaryPath), a driver's object name
   * ("\Driver\Tcpip"); null otherwise or when unreadable.
   */
  readonly binary: string | null;
}

/**
 * One record of the DNS Client's resolver cache (dnsrslvr.dll's hash table in its svchost.exe): a DNS_RECORDW of a
 * cache entry's record chain, read in the service's address space.
 */
export interface DnsCacheRecord {
  /** The process whose cache it is (the one with dnsrslvr.dll loaded). */
  readonly process: WindowsProcess;
  /** Addresses of the cache entry and of the record in that process's space. */
  readonly entry: bigint;
  readonly offset: bigint;
  /** The record's owner name (pName; the entry's name when it has none). */
  readonly name: string;
  /** wType, and its name ("A", "AAAA", "CNAME", "PTR", "MX", "SRV", "TXT", "NS", "SOA", "DNAME"; others the number). */
  readonly type: number;
  readonly typeName: string;
  /**
   * The data as text: A dotted, AAAA RFC 5952, a name for NS / CNAME / PTR / DNAME, "preference name" for MX,
   * "priority weight port target" for SRV, TXT each string quoted; null for other types, data that does not fit its
   * type, or a name not readable (see `bytes`).
   */
  readonly data: string | null;
  /** The data's bytes (wDataLength of them, at most 1 KiB). */
  readonly bytes: Uint8Array;
  /** dwTtl, seconds. */
  readonly ttl: number;
  /** Flags (Section in bits 0-1, CharSet in 3-4, ...). */
  readonly flags: number;
  /**
   * "CNAME" for a record owned by a name the entry's CNAME records lead to from the entry's own name (directly or
   * through one another); otherwise its Flags' section: "Answer", "Authority", "Additional" or "Question".
   */
  readonly section: string;
}

/** From the process's PEB (_RTL_USER_PROCESS_PARAMETERS); null where unreadable (paged out, no PEB). */
export interface ProcessParameters {
  readonly imagePath: string | null;
  readonly commandLine: string | null;
}

/** Which of the PEB loader's module lists: InLoadOrderModuleList, InInitializationOrderModuleList, InMemoryOrderModuleList. */
export type LoaderList = 'load' | 'init' | 'memory';

/** One _LDR_DATA_TABLE_ENTRY of a process's PEB loader lists (PEB.Ldr), read in the process's own address space. */
export interface LoaderModule {
  /** Virtual address of the _LDR_DATA_TABLE_ENTRY. */
  readonly entry: bigint;
  /** DllBase: where the module is mapped. */
  readonly base: bigint;
  /** SizeOfImage. */
  readonly size: number;
  readonly entryPoint: bigint;
  /** BaseDllName ("ntdll.dll"); null when unreadable. */
  readonly name: string | null;
  /** FullDllName ("C:\Windows\System32\ntdll.dll"); null when unreadable. */
  readonly path: string | null;
  /** LoadTime, ISO-8601 UTC; null when unset, or where this Windows keeps none (before Windows 7). */
  readonly loadTime: string | null;
  /** DdagNode → _LDR_DDAG_NODE.LoadCount; null when there is none (before Windows 8) or it is unreadable. */
  readonly loadCount: number | null;
}

/** A kernel module's _KLDR_DATA_TABLE_ENTRY (PsLoadedModuleList, or an 'MmLd' pool allocation), as windows.modules prints it. */
export interface WindowsKernelModule {
  /** Kernel virtual address of the entry; null when found in physical memory the kernel does not map. */
  readonly offset: bigint | null;
  /** DllBase: where the module's image is mapped. */
  readonly base: bigint;
  /** SizeOfImage. */
  readonly size: number;
  /** BaseDllName ("tcpip.sys"); null when unreadable. */
  readonly name: string | null;
  /** FullDllName ("\SystemRoot\System32\drivers\tcpip.sys"); null when unreadable. */
  readonly path: string | null;
}

/** A _DRIVER_OBJECT found in pool, as windows.driverscan prints it. */
export interface DriverObject {
  /** Kernel virtual address of the object's body. */
  readonly offset: bigint;
  readonly physical: number;
  /** DriverStart: the driver's image (0 for drivers built into the kernel). */
  readonly start: bigint;
  /** DriverSize. */
  readonly size: number;
  /** DriverExtension → ServiceKeyName ("Tcpip"); null when unreadable. */
  readonly serviceKey: string | null;
  /** The object's own name (its _OBJECT_HEADER_NAME_INFO: "Tcpip"); null when it has none or it is unreadable. */
  readonly driverName: string | null;
  /** DriverName ("\Driver\Tcpip"); null when unreadable. */
  readonly name: string | null;
}

/** An entry of the kernel's unloaded-driver record (MmUnloadedDrivers), as windows.unloadedmodules prints it. */
export interface UnloadedDriver {
  /** Name ("dump_storahci.sys"); null when unreadable. */
  readonly name: string | null;
  /** StartAddress and EndAddress of the image it had. */
  readonly start: bigint;
  readonly end: bigint;
  /** CurrentTime: when it was unloaded, ISO-8601 UTC at whole seconds; null when unset. */
  readonly time: string | null;
}

/** A process's environment block (PEB → ProcessParameters.Environment). */
export interface ProcessEnvironment {
  /** The block's address in the process's space (the value of the Environment field). */
  readonly block: bigint;
  /** [name, value] in block order; entries with an empty name or value ("=C:=C:\...") are left out, as Volatility does. */
  readonly variables: readonly (readonly [string, string])[];
}

/** One _SID_AND_ATTRIBUTES of a token's UserAndGroups. */
export interface TokenSid {
  /** "S-1-5-21-…-1001" */
  readonly sid: string;
  /** As Volatility 3's windows.getsids names it (well-known SIDs and RIDs, service SIDs); null when it has no name. */
  readonly name: string | null;
  /** SE_GROUP_* bits (0x4 enabled, 0x10 deny-only, 0x20 integrity label, 0xc0000000 logon session, ...). */
  readonly attributes: number;
}

/** One privilege of a token's _SEP_TOKEN_PRIVILEGES masks. */
export interface TokenPrivilege {
  /** The privilege's LUID: its bit in the masks. */
  readonly value: number;
  /** "SeDebugPrivilege"; null for a bit that names no privilege Windows defines. */
  readonly name: string | null;
  /** As Volatility 3's windows.privileges describes it ("Debug programs"); null with name. */
  readonly description: string | null;
  readonly present: boolean;
  readonly enabled: boolean;
  readonly enabledByDefault: boolean;
}

/** A process's access token (_EPROCESS.Token, an _EX_FAST_REF, → _TOKEN). */
export interface TokenInfo {
  /** Kernel virtual address of the _TOKEN (the reference count bits masked off). */
  readonly address: bigint;
  /** UserAndGroups[0]; null when its SID is unreadable or invalid. */
  readonly user: TokenSid | null;
  /**
   * UserAndGroups[1..] in array order (the logon session and integrity label SIDs are among them); unreadable SIDs
   * are left out, an invalid one ends the list (as in Volatility).
   */
  readonly groups: readonly TokenSid[];
  /** Every privilege Windows defines, by value, then any other bit set in the masks (name null). */
  readonly privileges: readonly TokenPrivilege[];
}

/**
 * One Virtual Address Descriptor of a process (a node of _EPROCESS.VadRoot: _MMVAD_SHORT, or _MMVAD when its pool
 * tag says so), as Volatility 3's windows.vadinfo reports it.
 */
export interface VadNode {
  /** Kernel virtual address of the node (its _RTL_BALANCED_NODE VadNode, at offset 0). */
  readonly address: bigint;
  /** First byte of the range in the process's space (StartingVpn with StartingVpnHigh, times the page size). */
  readonly start: bigint;
  /** Last byte of the range (inclusive). */
  readonly end: bigint;
  /** The pool tag before the node ('VadS', 'VadF': _MMVAD_SHORT; 'Vad ', 'Vadl', 'Vadm', ...: _MMVAD); null when unreadable. */
  readonly tag: string | null;
  /** u.VadFlags.Protection: the 5-bit index into the kernel's MmProtectToValue. */
  readonly protectionIndex: number;
  /** The protection named as Volatility names it ("PAGE_EXECUTE_READWRITE", "PAGE_READWRITE|PAGE_GUARD"; "" for none). */
  readonly protection: string;
  /** u1.VadFlags1.CommitCharge: committed pages. */
  readonly commitCharge: number;
  /** u.VadFlags.PrivateMemory (0 or 1). */
  readonly privateMemory: number;
  /** u.VadFlags.VadType (0 none, 1 device physical memory, 2 image map, 3 AWE, 4 write watch, 5 large pages, ...). */
  readonly vadType: number;
  /** VadNode.ParentValue with its balance bits cleared; 0 for the root. */
  readonly parent: bigint;
  /** The mapped file (Subsection → ControlArea → FilePointer → _FILE_OBJECT.FileName) of an _MMVAD; null for none. */
  readonly file: string | null;
}

/** One used entry of a process's handle table (_EPROCESS.ObjectTable), as Volatility 3's windows.handles reports it. */
export interface HandleEntry {
  /** The handle value (its index in the table × 4). */
  readonly value: number;
  /** Kernel virtual address of the object's body (_OBJECT_HEADER.Body). */
  readonly object: bigint;
  /** GrantedAccessBits: the access mask the handle was opened with. */
  readonly access: number;
  /** The object's type name ("File", "Key", "Process", ...), from ObTypeIndexTable. */
  readonly type: string;
  /**
   * As Volatility names it: File "\Device\<device>" + FileName (FileName alone when the device has no name), Key the
   * key's path below \REGISTRY ("MACHINE\SOFTWARE\..."), Process "<name> Pid <pid>", Thread "Tid <tid> Pid <pid>",
   * others the name in the object's _OBJECT_HEADER_NAME_INFO, "" for none; null when the object is unreadable.
   */
  readonly name: string | null;
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
/** A registry hive in memory: its _CMHIVE, as windows.registry.hivelist lists it. */
export interface RegistryHive {
  /** Kernel virtual address of the _CMHIVE. */
  readonly offset: bigint;
  /** FileFullPath, else FileUserName, else HiveRootPath (the first one set, as Volatility 3 takes it); null: none. */
  readonly name: string | null;
}

/** A registry key: an nk cell of a hive. */
export interface RegistryKey {
  readonly hive: RegistryHive;
  /** Its cell index (bit 31 set: the hive's volatile storage). */
  readonly cell: number;
  readonly name: string;
  /** LastWriteTime, ISO-8601 UTC at whole seconds; null when zero. */
  readonly lastWrite: string | null;
  /** Its cell lies in the volatile storage (not saved to the hive file). */
  readonly volatile: boolean;
}

/** A registry value: a vk cell and its data. */
export interface RegistryValue {
  /** '' for the key's default value. */
  readonly name: string;
  /** REG_SZ = 1, REG_EXPAND_SZ = 2, REG_BINARY = 3, REG_DWORD = 4, REG_MULTI_SZ = 7, REG_QWORD = 11, ... */
  readonly type: number;
  /** The data (held in the vk itself, in a data cell, or in a big-data cell's segments); null when not in memory. */
  readonly data: Uint8Array | null;
}

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
  /**
   * The _EPROCESS at a kernel address (a thread's owner, a handle's object), with its physical address; null when it
   * is unreadable or does not look like a process (the checks the process scan makes).
   */
  processAt(address: bigint): Promise<WindowsProcess | null>;
  /**
   * The process's threads (_EPROCESS.ThreadListHead → _ETHREAD.ThreadListEntry) in list order, bounded and
   * cycle-guarded with a warning where the list breaks. Nothing for a process found only in physical memory.
   */
  threads(process: WindowsProcess): AsyncIterable<WindowsThread>;
  /**
   * _ETHREAD allocations found by a pool-tag scan of physical memory ('Thre'), validated as Volatility 3 does:
   * threads of exited and unlinked processes too, each once. Reports the run's progress.
   */
  scanThreads(): AsyncIterable<WindowsThread>;
  /**
   * tcpip.sys's TCP listeners and endpoints and UDP endpoints found by a pool-tag scan of physical memory ('TcpL',
   * 'TcpE', 'UdpA'), laid out by build as Volatility 3's netscan tables say and validated as it does; allocations
   * that are no endpoint are skipped with one counted warning. Reports the run's progress.
   */
  scanNetworkEndpoints(): AsyncIterable<NetworkEndpoint>;
  /**
   * The endpoints tcpip.sys keeps in its own tables, walked from its globals as Volatility 3's netstat walks them
   * (the partitions' hash tables of established TCP endpoints, then the TCP and UDP port pools' bitmaps and
   * assignments), read and checked as scanNetworkEndpoints reads them. Needs tcpip.sys in the module list and the
   * tcpip.pdb table its CodeView record names: SYMBOLS_MISSING (naming its GUID and age) when the session has none.
   * Chains and bitmaps that cannot be followed are warnings; every walk is bounded and cycle-guarded.
   */
  tcpipEndpoints(): AsyncIterable<NetworkEndpoint>;
  /**
   * The records of services.exe's service database: its private memory searched for 'serH' headers, each header's
   * record walked back through PrevEntry (newest first), laid out by build as Volatility 3's svcscan tables say.
   * A record with an impossible Order, Start or State is skipped with a warning; the walks are bounded and
   * cycle-guarded.
   */
  services(): AsyncIterable<ServiceRecord>;
  /**
   * The DNS Client's resolver cache of each process of the active process list that `wanted` accepts (all by default)
   * and whose loader list holds dnsrslvr.dll: its hash table found from candidate pointer / size globals in the DLL's
   * writable data, else from runs of plausible slots in the process's private memory, each candidate validated by what
   * its slots lead to; then slot by slot each bucket's entries and each entry's records. Laid out by build as data;
   * every walk is bounded and cycle-guarded with a warning; an entry whose name is unreadable is skipped with one.
   * Without `wanted`, no process with dnsrslvr.dll is a warning; processes `wanted` picks that lack it just have no rows.
   */
  dnsCache(wanted?: (process: WindowsProcess) => boolean): AsyncIterable<DnsCacheRecord>;
  /**
   * tcpip.sys's neighbour cache entries found by a pool-tag scan of physical memory, in a working layout per build
   * (not yet confirmed on real captures: src/plugins/windows/arp.md); allocations that are no neighbour are skipped
   * with one counted warning per reason. Reports the run's progress.
   */
  scanNeighbours(): AsyncIterable<WindowsNeighbour>;
  /**
   * _FILE_OBJECTs found by a pool-tag scan of physical memory ('File'), object type checked, as Volatility 3's
   * filescan lists them: those with a FileName. Reports the run's progress.
   */
  scanFiles(): AsyncIterable<FileObject>;
  /** _KMUTANTs found by a pool-tag scan of physical memory ('Muta'), object type checked. Reports the run's progress. */
  scanMutants(): AsyncIterable<MutantObject>;
  /**
   * _OBJECT_SYMBOLIC_LINKs found by a pool-tag scan of physical memory ('Symb'), object type checked: links deleted
   * from their directory too; one whose name or target is unreadable is skipped with a warning. Reports the run's progress.
   */
  scanSymbolicLinks(): AsyncIterable<SymbolicLink>;
  /**
   * The objects of an object directory (the _OBJECT_DIRECTORY body at `directory`; the namespace's root,
   * ObpRootDirectoryObject, when omitted): every hash bucket's chain, bounded and cycle-guarded, each entry with its
   * type and name; entries that give neither are skipped with a warning. A directory entry's `object` can be listed in turn.
   */
  objectDirectory(directory?: bigint): AsyncIterable<ObjectDirectoryEntry>;
  /** The symbolic link whose body is at `object` (an entry of objectDirectory); null, with a warning, when unreadable. */
  symbolicLink(object: bigint): Promise<SymbolicLink | null>;
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
  /**
   * The modules of one of the process's PEB loader lists (default 'load': InLoadOrderModuleList), in list order,
   * cycle and length guarded. Nothing for a process without a PEB; a warning where the loader data is unreadable
   * or the list breaks.
   */
  loadedModules(process: WindowsProcess, list?: LoaderList): AsyncIterable<LoaderModule>;
  /**
   * The process's environment block, read up to its terminating empty string, EnvironmentSize or 1 MiB (a LIMIT
   * warning beyond); null without a PEB or when the block's first page is unreadable.
   */
  environment(process: WindowsProcess): Promise<ProcessEnvironment | null>;
  /**
   * The process's access token: its user, groups and privileges, SIDs named. null with an UNREADABLE warning (naming
   * the token's address) when the _TOKEN is not in the captured memory; UserAndGroupCount is capped (LIMIT).
   */
  token(process: WindowsProcess): Promise<TokenInfo | null>;
  /**
   * The used entries of the process's handle table (_EPROCESS.ObjectTable → TableCode, levels 0-2) in handle order.
   * Bounded (pages and handles: LIMIT) and guarded against pages seen twice (SMEAR); unreadable pages and object
   * headers, and objects of no known type, are skipped with one warning each per process. Nothing without a table.
   */
  handles(process: WindowsProcess): AsyncIterable<HandleEntry>;
  /**
   * The process's VAD tree (_EPROCESS.VadRoot) in Volatility 3's order (pre-order: node, left subtree, right subtree),
   * bounded (depth and node caps: LIMIT) and cycle-guarded (SMEAR); a node whose pool tag is not a VAD's is skipped
   * with its subtree, as Volatility does; an unreadable node is an UNREADABLE warning. Nothing for a process without VADs.
   */
  vads(process: WindowsProcess): AsyncIterable<VadNode>;
  /**
   * The loaded kernel modules (nt!PsLoadedModuleList in load order: ntoskrnl.exe first), bounded and cycle-guarded
   * with a warning where the list breaks; an unreadable entry is skipped with a warning.
   */
  kernelModules(): AsyncIterable<WindowsKernelModule>;
  /**
   * Kernel module entries found by a pool-tag scan of physical memory ('MmLd'): modules unlinked from the list and
   * unloaded ones too. Blocks too small for an entry, or whose base or size is implausible, are skipped with one
   * counted warning. Reports the run's progress.
   */
  scanKernelModules(): AsyncIterable<WindowsKernelModule>;
  /** _DRIVER_OBJECTs found by a pool-tag scan of physical memory ('Driv'), object type checked. Reports the run's progress. */
  scanDrivers(): AsyncIterable<DriverObject>;
  /**
   * The kernel's record of unloaded drivers (nt!MmUnloadedDrivers, MmLastUnloadedDriver entries, oldest first); a
   * count beyond the array's 50 slots is capped with a warning, an unreadable array is a warning and none.
   */
  unloadedDrivers(): Promise<readonly UnloadedDriver[]>;
  /**
   * The registry hives linked from nt!CmpHiveListHead, in list order, bounded and cycle-guarded; an entry without the
   * hive signature (0xBEE0BEE0) is skipped with a warning.
   */
  hives(): AsyncIterable<RegistryHive>;
  /** The hive whose _CMHIVE is at `offset`; null when none is there. */
  hiveAt(offset: bigint): Promise<RegistryHive | null>;
  /**
   * A hive's root key (_HBASE_BLOCK.RootCell). Cells are read through the hive's storage map, in the Registry
   * process's address space from Windows 10 1803 on; null, with a warning, when the root's bin is not in memory.
   */
  registryRoot(hive: RegistryHive): Promise<RegistryKey | null>;
  /**
   * A key's subkeys: its stable subkey list, then its volatile one (lf, lh, li and ri cells), each list cell read once.
   * Subkeys whose cells are not in memory (a paged-out bin) are left out with a warning.
   */
  registrySubkeys(key: RegistryKey): Promise<RegistryKey[]>;
  /** A key's values in value-list order; those not in memory are left out with a warning, as are unreadable lists. */
  registryValues(key: RegistryKey): Promise<RegistryValue[]>;
}
