import { isMemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import type {
  CachedInode,
  CachedPage,
  CodeOwner,
  FileInfo,
  InodeInfo,
  InterruptGate,
  KernelLogRecord,
  KernelModule,
  ModuleKobject,
  LinuxKernelContext,
  LinuxKernelInfo,
  LinuxTask,
  MountInfo,
  MountNamespace,
  Neighbour,
  NetfilterHook,
  OpenFile,
  ScannedTask,
  SocketInfo,
  SyscallTableEntry,
  TtyReceiver,
  Vma,
} from '../../plugins/api/linux.ts';
import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import type { VirtualMemory } from '../../plugins/api/memory.ts';
import { KernelRunContext } from '../kernel-context.ts';
import { unixSecondsToIso } from '../unix-time.ts';
import { cachedInodes } from './cached-inodes.ts';
import { openFiles } from './fd-table.ts';
import { describeFile } from './file-info.ts';
import { keyboardNotifiers, ttyReceivers } from './input-hooks.ts';
import { firstDirtyPage } from './dirty-pages.ts';
import { inodePages, readInode } from './inode.ts';
import { interruptGates } from './interrupt-gates.ts';
import { KernelCodeMap } from './kernel-code-map.ts';
import { readKernelLog } from './kernel-log.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { moduleKobjects } from './module-kobjects.ts';
import { scanModules } from './module-scan.ts';
import { listModules } from './modules.ts';
import { listMounts, mountNamespaces, taskMountNamespace } from './mounts.ts';
import { listNeighbours } from './neighbours.ts';
import { netfilterHooks } from './netfilter-hooks.ts';
import { executablePath, readArgv, readEnvironment } from './process-memory.ts';
import { SocketReader } from './sockets.ts';
import { syscallTableEntries } from './syscall-tables.ts';
import { scanTasks } from './task-scan.ts';
import { pidHashTasks } from './pid-hash.ts';
import { listTasks, type TaskRecord } from './task.ts';
import { listVmas } from './vmas.ts';

/** Most pages of one mapping checked for a dirty page (1 GiB). */
const MAX_DIRTY_SEARCH = 1 << 18;

/** The Linux kernel as one plugin run reads it (ctx.linux()): the OS library's readers, their warnings the run's. */
export class LinuxRunContext extends KernelRunContext<LinuxKernel> implements LinuxKernelContext {
  private sockets: SocketReader | undefined;
  private codeMap: Promise<KernelCodeMap> | undefined;

  get info(): LinuxKernelInfo {
    const d = this.kernel.discovery;
    // Tables built from the image count their types and symbols; an ISF does not.
    const { typeCount, symbolCount } = this.kernel.symbols as { typeCount?: number; symbolCount?: number };
    return {
      banner: d.banner,
      release: d.release,
      kaslrOffset: d.kaslrOffset,
      physBase: d.physBase,
      vmcoreinfoFoundAt: d.vmcoreinfoFoundAt,
      ...(typeCount !== undefined && { typeCount }),
      ...(symbolCount !== undefined && { symbolCount }),
    };
  }

  get dtb(): number {
    return this.kernel.discovery.dtb;
  }

  async *tasks({ threads = false }: { readonly threads?: boolean } = {}): AsyncGenerator<LinuxTask> {
    for await (const task of listTasks(this.kernel, this.warn(), threads)) {
      this.run.signal?.throwIfAborted();
      yield this.withCreateTime(task);
    }
  }

  async *pidHashTasks(): AsyncGenerator<LinuxTask> {
    for (const task of await pidHashTasks(this.kernel, this.warn())) yield this.withCreateTime(task);
  }

  private withCreateTime(task: TaskRecord): LinuxTask {
    const boot = this.kernel.bootTimeNs;
    const createTime = boot === null || task.startBootNs === null ? null : unixSecondsToIso((boot + task.startBootNs) / 1_000_000_000n);
    return { ...task, createTime };
  }

  async bootTimeNs(): Promise<bigint | null> {
    return this.kernel.bootTimeNs;
  }

  argv(task: LinuxTask): Promise<string[] | null> {
    return readArgv(this.kernel, task);
  }

  environment(task: LinuxTask): Promise<[string, string][] | null> {
    return readEnvironment(this.kernel, task);
  }

  executablePath(task: LinuxTask, about?: string): Promise<string | null> {
    return executablePath(this.kernel, task, this.warn(about));
  }

  processSpace(task: LinuxTask): Promise<VirtualMemory | null> {
    return this.userLayer(task);
  }

  private async userLayer(task: LinuxTask): Promise<VirtualLayer | null> {
    if (task.mm === 0n) return null;
    const mm = await this.kernel.readStruct('mm_struct', task.mm);
    return mm && this.kernel.processLayer(mm.u64('pgd'));
  }

  openFiles(task: LinuxTask, about?: string): AsyncIterable<OpenFile> {
    return openFiles(this.kernel, task, this.warn(about));
  }

  describeFile(file: bigint, about?: string): Promise<FileInfo | null> {
    return describeFile(this.kernel, file, this.warn(about));
  }

  vmas(task: LinuxTask, about?: string): Promise<Vma[]> {
    return listVmas(this.kernel, task, this.warn(about));
  }

  async firstDirtyPage(task: LinuxTask, vma: Vma, about?: string): Promise<bigint | null> {
    const layer = await this.userLayer(task);
    if (!layer) return null;
    const { page, limited } = await firstDirtyPage(layer, vma.start, vma.end, MAX_DIRTY_SEARCH);
    if (limited) {
      const message = `mapping 0x${vma.start.toString(16)} holds more than ${MAX_DIRTY_SEARCH} pages: only the first were checked for written pages`;
      this.warn(about)({ code: 'LIMIT', message });
    }
    return page;
  }

  async socket(file: bigint, about?: string): Promise<SocketInfo | null> {
    const warn = this.warn(about);
    // Built on first use (SYMBOLS_INVALID when the kernel types lack the socket layout, which fails the run).
    const sockets = (this.sockets ??= new SocketReader(this.kernel));
    try {
      const socket = await sockets.socketOf(file, warn);
      return socket === null ? null : await sockets.describe(socket, warn);
    } catch (e) {
      // A socket whose structures do not decode costs its row, not the run.
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
      warn({ code: 'UNSUPPORTED', message: `socket not decoded: ${e.message}`, address: hex(file) });
      return null;
    }
  }

  mountNamespaces(): AsyncIterable<MountNamespace> {
    return mountNamespaces(this.kernel, this.warn());
  }

  taskMountNamespace(task: LinuxTask): Promise<MountNamespace | null> {
    return taskMountNamespace(this.kernel, task.view);
  }

  mounts(namespace: MountNamespace): AsyncIterable<MountInfo> {
    return listMounts(this.kernel, namespace, this.warn());
  }

  cachedInodes(): AsyncIterable<CachedInode> {
    return cachedInodes(this.kernel, this.warn());
  }

  inode(address: bigint): Promise<InodeInfo | null> {
    return readInode(this.kernel, address, this.warn());
  }

  inodePages(inode: InodeInfo): AsyncIterable<CachedPage> {
    return inodePages(this.kernel, inode, this.warn());
  }

  modules(): AsyncIterable<KernelModule> {
    return listModules(this.kernel, this.warn());
  }

  moduleKobjects(): AsyncIterable<ModuleKobject> {
    return moduleKobjects(this.kernel, this.warn());
  }

  scanModules(): AsyncIterable<KernelModule> {
    return scanModules(this.kernel, this.warn(), { signal: this.run.signal });
  }

  neighbours(): AsyncIterable<Neighbour> {
    return listNeighbours(this.kernel, this.warn());
  }

  kernelLog(): AsyncIterable<KernelLogRecord> {
    return readKernelLog(this.kernel, this.warn());
  }

  scanTasks(): AsyncIterable<ScannedTask> {
    const { scanner, signal, progress } = this.run;
    return scanTasks(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  syscallTables(): AsyncIterable<SyscallTableEntry> {
    return syscallTableEntries(this.kernel, this.warn());
  }

  interruptGates(): AsyncIterable<InterruptGate> {
    return interruptGates(this.kernel, this.warn());
  }

  netfilterHooks(): AsyncIterable<NetfilterHook> {
    return netfilterHooks(this.kernel, this.warn());
  }

  keyboardNotifiers(): AsyncIterable<bigint> {
    return keyboardNotifiers(this.kernel, this.warn());
  }

  ttyReceivers(): AsyncIterable<TtyReceiver> {
    return ttyReceivers(this.kernel, this.warn());
  }

  async codeOwner(address: bigint): Promise<CodeOwner> {
    // Built on first use: the kernel's text symbols and the module list, once per run.
    this.codeMap ??= (async () => {
      const modules = [];
      for await (const m of this.modules()) modules.push(m);
      return KernelCodeMap.build(this.kernel, modules);
    })();
    return (await this.codeMap).owner(address);
  }
}
