// Published (memscope/plugin): the Linux kernel context (ctx.linux()) and what it reads. Imports only memory.ts.

import type { KernelContext, StructReader, VirtualMemory } from './memory.ts';

/** A task_struct as the process plugins report it. */
export interface LinuxTask {
  /** Kernel virtual address of the task_struct. */
  readonly address: bigint;
  /** Thread-group id: what ps calls the PID. */
  readonly pid: number;
  /** The task's own id: the TID. */
  readonly tid: number;
  /** tgid of real_parent (0 for init and kthreadd, whose parent is the idle task). */
  readonly ppid: number;
  readonly comm: string;
  /** Credentials; null when the cred structure is unreadable. */
  readonly uid: number | null;
  readonly gid: number | null;
  readonly euid: number | null;
  readonly egid: number | null;
  readonly kernelThread: boolean;
  /** /proc's state letter: R, S, D, T, t, X, Z, P, I. */
  readonly state: string;
  /** mm_struct address; 0n for kernel threads. */
  readonly mm: bigint;
  /** When the task started, in nanoseconds since boot (start_boottime, real_start_time before 5.5). */
  readonly startBootNs: bigint | null;
  /** When the task started, ISO-8601 UTC; null when the boot time or the start is unknown. */
  readonly createTime: string | null;
  /** The whole task_struct, for fields not above. */
  readonly view: StructReader;
}

/** What the kernel was found to be. */
export interface LinuxKernelInfo {
  /** "Linux version ..."; empty when not found. */
  readonly banner: string;
  readonly release: string;
  /** KASLR slide, hex. */
  readonly kaslrOffset: string;
  /** phys_base as the kernel holds it, hex. */
  readonly physBase: string;
  /** "container note", or the physical address VMCOREINFO was found at. */
  readonly vmcoreinfoFoundAt: string;
  /** Types and symbols of the table in use, where it counts them. */
  readonly typeCount?: number;
  readonly symbolCount?: number;
}

export interface OpenFile {
  readonly fd: number;
  /** Address of the struct file. */
  readonly file: bigint;
}

export interface FileInfo {
  /** The path /proc/<pid>/fd shows: d_path, or socket:[ino], pipe:[ino], anon_inode:[name]. */
  readonly path: string;
  /** "major:minor". */
  readonly device: string;
  readonly inode: number | null;
  readonly type: string;
  /** ls -l style: -rw-r--r-- */
  readonly mode: string;
  readonly size: bigint | null;
}

/** A memory mapping (vm_area_struct). */
export interface Vma {
  readonly address: bigint;
  readonly start: bigint;
  readonly end: bigint;
  /** vm_flags: VM_READ 0x1, VM_WRITE 0x2, VM_EXEC 0x4, VM_SHARED 0x8, ... */
  readonly flags: bigint;
  /** File offset in pages. */
  readonly pgoff: bigint;
  /** struct file of a file-backed mapping, else 0n. */
  readonly file: bigint;
  readonly ops: bigint;
  readonly privateData: bigint;
}

export interface MountNamespace {
  readonly address: bigint;
  /** Inode number of the namespace (/proc/<pid>/ns/mnt); null on kernels without one. */
  readonly id: number | null;
  /** struct mount of the namespace's root (mnt_namespace.root). */
  readonly root: bigint;
}

/** A mount as /proc/<pid>/mountinfo and /proc/mounts show it. */
export interface MountInfo {
  readonly address: bigint;
  readonly id: number;
  /** Null when the parent mount is unreadable. */
  readonly parentId: number | null;
  /** "major:minor" of the superblock's device. */
  readonly device: string;
  /** Path of the mount's root inside its filesystem. */
  readonly root: string;
  readonly mountPoint: string;
  /** ro/rw then the per-mount flags, as /proc/<pid>/mountinfo. */
  readonly mountOptions: readonly string[];
  /** Optional fields: shared:N, master:N, propagate_from:N, unbindable. */
  readonly fields: readonly string[];
  readonly fsType: string;
  readonly source: string;
  /** ro/rw, superblock flags and the filesystem's own options (tmpfs size=, mode=, ...). */
  readonly superOptions: readonly string[];
  /** The options column of /proc/mounts. */
  readonly procMountsOptions: readonly string[];
}

/** A loaded kernel module as /proc/modules shows it. */
export interface KernelModule {
  readonly address: bigint;
  readonly name: string;
  /** Bytes of module memory (core + init). */
  readonly size: number;
  /** module_refcount(); null on kernels built without module unloading. */
  readonly refcount: number | null;
  readonly state: string;
  /** Where its core text is loaded. */
  readonly base: bigint;
  /** The modules using this one, then [permanent] for one that cannot be unloaded. */
  readonly usedBy: readonly string[];
}

/** A task_struct carved from physical memory (linux.psscan): listed, unlinked or exited. */
export interface ScannedTask {
  /** Physical address of the task_struct. */
  readonly physical: number;
  /** tgid: the process id. */
  readonly pid: number;
  /** pid: the thread id. */
  readonly tid: number;
  /** The parent's tgid; 0 when the parent is not readable. */
  readonly ppid: number;
  readonly comm: string;
  /** TASK_RUNNING (0: live), EXIT_ZOMBIE, EXIT_DEAD or EXIT_TRACE. */
  readonly exitState: string;
}

/** A /sys/module kobject (module_kset): a loaded module's (module set) or a built-in one's with parameters (module 0). */
export interface ModuleKobject {
  readonly kobject: bigint;
  /** The struct module it belongs to; 0n for a built-in module. */
  readonly module: bigint;
  readonly name: string;
  /** The kobject's reference count (kref). */
  readonly references: number;
}

/** A netfilter hook: where it is registered and the function it calls, as its struct nf_hook_ops gives them. */
export interface NetfilterHook {
  /** Inode number of the network namespace; null on kernels without one. */
  readonly netns: number | null;
  /** The protocol family: IPV4, ARP, BRIDGE, IPV6, DECNET or NETDEV (a device's ingress / egress hooks). */
  readonly protocol: string;
  /** The hook point: PRE_ROUTING, LOCAL_IN, ... (IN, OUT, FORWARD for ARP; INGRESS, EGRESS for NETDEV). */
  readonly hook: string;
  readonly priority: number;
  readonly handler: bigint;
}

/** One entry of a system call table: the handler the kernel dispatches system call `index` to. */
export interface SyscallTableEntry {
  /** '64bit' (sys_call_table) or '32bit' (ia32_sys_call_table, the 32-bit emulation's). */
  readonly table: '64bit' | '32bit';
  readonly tableAddress: bigint;
  readonly index: number;
  readonly handler: bigint;
}

/** An interrupt descriptor table gate: the vector and its handler's address. */
export interface InterruptGate {
  readonly index: number;
  readonly address: bigint;
}

/** An open tty and the receive_buf of its line discipline. */
export interface TtyReceiver {
  readonly name: string;
  readonly handler: bigint;
}

/** Who a code address belongs to. */
export interface CodeOwner {
  /** '__kernel__' for the kernel's text, a loaded module's name, or null for neither (code no listed module owns). */
  readonly module: string | null;
  /** The kernel symbol starting exactly at the address; null inside a function, in a module or outside both. */
  readonly symbol: string | null;
}

/** An ARP (IPv4) or NDP (IPv6) neighbour table entry. */
export interface Neighbour {
  readonly address: bigint;
  readonly family: 'IPv4' | 'IPv6';
  readonly ip: string;
  readonly mac: string;
  readonly device: string;
  readonly state: string;
  /** /proc/net/arp's Flags value. */
  readonly flags: number;
}

/** A record of the kernel log (the printk ring buffer; before 5.10, log_buf). */
export interface KernelLogRecord {
  readonly sequence: bigint;
  /** Nanoseconds since boot. */
  readonly timestampNs: bigint;
  readonly facility: number;
  readonly level: number;
  /** CPU(n) or Task(pid), as printk's caller id. */
  readonly caller: string | null;
  /** May hold several lines. */
  readonly text: string;
  /** The record's dictionary ("SUBSYSTEM=pci", "DEVICE=+pci:0000:00:02.0"): log_buf records before 5.10 have one. */
  readonly dictionary: readonly string[];
}

/** An inode as Volatility 3's linux.pagecache plugins show it. */
export interface InodeInfo {
  readonly address: bigint;
  /** i_ino. */
  readonly number: bigint;
  /** DIR, REG, LNK, FIFO, SOCK, CHR or BLK; null for none of them. */
  readonly type: string | null;
  /** ls -l style: -rw-r--r-- */
  readonly mode: string;
  /** i_size (signed). */
  readonly size: bigint;
  /** i_mapping: the address_space of its page cache. */
  readonly mapping: bigint;
  /** i_mapping->nrpages; null when the address_space is not readable. */
  readonly cachedPages: bigint | null;
  /** ISO-8601 UTC as Volatility prints them (microseconds when not zero); null at or before 1970. */
  readonly accessTime: string | null;
  readonly modificationTime: string | null;
  readonly changeTime: string | null;
}

/** An inode reached from a mounted superblock's dentry cache (linux.pagecache.Files). */
export interface CachedInode {
  readonly superblock: bigint;
  /** Where the superblock is mounted, seen from the first process of its mount namespace. */
  readonly mountPoint: string;
  /** "major:minor" of the superblock. */
  readonly device: string;
  /** The path of its dentry; a fast symlink's as "path -> target". */
  readonly path: string;
  readonly inode: InodeInfo;
}

/** A page of an inode's page cache. */
export interface CachedPage {
  /** The struct page. */
  readonly address: bigint;
  /** Physical address of the page's memory; null when the kernel's memory model is not SPARSEMEM_VMEMMAP. */
  readonly physical: bigint | null;
  /** page->mapping. */
  readonly mapping: bigint;
  /** page->index: its offset in the file in pages. */
  readonly index: bigint;
  /** The pageflags set, without the PG_ prefix. */
  readonly flags: readonly string[];
}

/** A socket as Volatility 3's linux.sockstat shows it. */
export interface SocketInfo {
  /** struct sock address. */
  readonly sock: bigint;
  /** Inode number of the socket's network namespace. */
  readonly netns: number | null;
  readonly family: string;
  readonly type: string;
  readonly protocol: string | null;
  /** IP address, UNIX path ('@' for abstract names), netlink groups or packet device. */
  readonly source: string | null;
  /** Port, UNIX socket inode or netlink port id. */
  readonly sourcePort: number | null;
  readonly destination: string | null;
  readonly destinationPort: number | null;
  readonly state: string | null;
  /** Attached socket / reuseport BPF filters, as key=value text. */
  readonly filter: string | null;
  /** The N of "socket:[N]". */
  readonly inode: number | null;
  /** The owner /proc/net/* shows. */
  readonly uid: number | null;
}

/**
 * The Linux kernel as one run reads it: the kernel context plus processes, files, memory maps, mounts, modules,
 * network and the kernel log. Where a method takes `about`, it starts the warnings that call raises ("PID 1 (systemd) fd 3").
 */
export interface LinuxKernelContext extends KernelContext {
  readonly info: LinuxKernelInfo;
  /** Physical address of the kernel's page-table root (init_top_pgt). */
  readonly dtb: number;
  /** Thread-group leaders in init_task.tasks order (PID 0 excluded, as ps), each followed by its other threads with `threads`. */
  tasks(options?: { readonly threads?: boolean }): AsyncIterable<LinuxTask>;
  /** When the machine booted, in nanoseconds since 1970; null when the kernel does not tell. */
  bootTimeNs(): Promise<bigint | null>;
  /** argv from the process's memory; null for kernel threads or when unreadable. */
  argv(task: LinuxTask): Promise<string[] | null>;
  /** The environment as (key, value) pairs; null for kernel threads or when unreadable. */
  environment(task: LinuxTask): Promise<[string, string][] | null>;
  /** /proc/<pid>/exe; null for kernel threads or when unreadable. */
  executablePath(task: LinuxTask, about?: string): Promise<string | null>;
  /** The process's user address space (mm->pgd); null for kernel threads or when unreadable. */
  processSpace(task: LinuxTask): Promise<VirtualMemory | null>;
  /** Its open file descriptors, in fd order. */
  openFiles(task: LinuxTask, about?: string): AsyncIterable<OpenFile>;
  /** What an open struct file refers to; null when the file object is not readable. */
  describeFile(file: bigint, about?: string): Promise<FileInfo | null>;
  /** Its memory mappings in address order. */
  vmas(task: LinuxTask, about?: string): Promise<Vma[]>;
  /**
   * The first page of a mapping whose page-table entry is dirty (written since it was mapped), looking from its start
   * up to the first page not mapped, as Volatility's malfind; null when there is none (or the task has no user space).
   */
  firstDirtyPage(task: LinuxTask, vma: Vma, about?: string): Promise<bigint | null>;
  /** The socket behind an open file; null when the file is no socket or it does not decode (with a warning). */
  socket(file: bigint, about?: string): Promise<SocketInfo | null>;
  /** Every mount namespace once. */
  mountNamespaces(): AsyncIterable<MountNamespace>;
  /** The mount namespace a task is in; null for exited tasks or unreadable structures. */
  taskMountNamespace(task: LinuxTask): Promise<MountNamespace | null>;
  /** A namespace's mounts in mount-tree order. */
  mounts(namespace: MountNamespace): AsyncIterable<MountInfo>;
  /** Every inode in the dentry caches of the mounted superblocks, each once (Volatility's linux.pagecache.Files order). */
  cachedInodes(): AsyncIterable<CachedInode>;
  /** The inode at a kernel address; null when it is not readable or not a valid inode. */
  inode(address: bigint): Promise<InodeInfo | null>;
  /** The pages of an inode's page cache, in file order. */
  inodePages(inode: InodeInfo): AsyncIterable<CachedPage>;
  /** Loaded modules, most recently loaded first. */
  modules(): AsyncIterable<KernelModule>;
  /** The kobjects of /sys/module, in list order. */
  moduleKobjects(): AsyncIterable<ModuleKobject>;
  /** struct modules carved from the mapped module area, in address order: listed modules and those taken off the list. */
  scanModules(): AsyncIterable<KernelModule>;
  /** ARP and NDP neighbour table entries. */
  neighbours(): AsyncIterable<Neighbour>;
  /** The kernel log from the oldest record to the newest. */
  kernelLog(): AsyncIterable<KernelLogRecord>;
  /** Every task with a PID in init_pid_ns's IDR (the kernel's PID lookup), sorted by PID and TID: threads included. */
  pidHashTasks(): AsyncIterable<LinuxTask>;
  /** task_structs carved from physical memory, in address order: those on the task list, unlinked and exited ones. */
  scanTasks(): AsyncIterable<ScannedTask>;
  /** The x86-64 system call tables' entries, the 64-bit table first, each in index order. */
  syscallTables(): AsyncIterable<SyscallTableEntry>;
  /** The IDT gates of the CPU exceptions (vectors 0-19) and int 0x80, empty gates left out. */
  interruptGates(): AsyncIterable<InterruptGate>;
  /** Every network namespace's netfilter hooks: the families' hook points in order, then the devices' ingress and egress hooks. */
  netfilterHooks(): AsyncIterable<NetfilterHook>;
  /** The callbacks registered on keyboard_notifier_list, in chain order. */
  keyboardNotifiers(): AsyncIterable<bigint>;
  /** Every open tty with its line discipline's receive_buf. */
  ttyReceivers(): AsyncIterable<TtyReceiver>;
  /** Who owns a code address: the kernel text (with the symbol starting there), a loaded module, or nobody. */
  codeOwner(address: bigint): Promise<CodeOwner>;
}
