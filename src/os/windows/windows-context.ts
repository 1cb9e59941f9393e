import type { VirtualMemory } from '../../plugins/api/memory.ts';
import type {
  DnsCacheRecord,
  DriverObject,
  HandleEntry,
  WindowsKernelModule,
  LoaderList,
  LoaderModule,
  NetworkEndpoint,
  FileObject,
  MutantObject,
  ObjectDirectoryEntry,
  SymbolicLink,
  ProcessEnvironment,
  ProcessParameters,
  RegistryHive,
  RegistryKey,
  RegistryValue,
  ServiceRecord,
  WindowsNeighbour,
  SharedUserData,
  TokenInfo,
  UnloadedDriver,
  VadNode,
  WindowsKernelContext,
  WindowsKernelImage,
  WindowsProcess,
  WindowsThread,
} from '../../plugins/api/windows.ts';
import type { ScanService } from '../../engine/scan-service.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { KernelRunContext } from '../kernel-context.ts';
import { RegistryReader } from './registry/registry-reader.ts';
import { dnsCacheRecords } from './dns-cache.ts';
import { scanDriverObjects } from './driver-objects.ts';
import { processEnvironment } from './environment.ts';
import { processHandles } from './handle-table.ts';
import { loadedKernelModules, scanKernelModules } from './kernel-modules.ts';
import { readSharedUserData } from './kuser-shared-data.ts';
import { loaderModules } from './loader-modules.ts';
import { scanNetworkEndpoints } from './network-endpoints.ts';
import { tcpipTableEndpoints } from './netstat-endpoints.ts';
import { scanServiceRecords } from './service-records.ts';
import { scanNeighbours } from './neighbours.ts';
import { scanFileObjects } from './file-objects.ts';
import { scanMutants } from './mutants.ts';
import { objectDirectoryEntries } from './object-directory.ts';
import { readSymbolicLink, scanSymbolicLinks } from './symbolic-links.ts';
import { activeProcesses } from './process-list.ts';
import { scanProcesses } from './process-scan.ts';
import { handleCount, looksLikeProcess, processFromView, processParameters, sessionId } from './process.ts';
import type { ScanProgress } from './pool-scan.ts';
import { processThreads, scanThreads } from './thread.ts';
import { readToken } from './token.ts';
import { readUnicodeString } from './unicode-string.ts';
import { unloadedDrivers } from './unloaded-drivers.ts';
import { vadTree } from './vad-tree.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/** _UNICODE_STRING: Length, MaximumLength, padding, Buffer. */
const UNICODE_STRING_SIZE = 16;

/** The published WindowsKernelContext: the Windows kernel as one plugin run reads it. */
export class WindowsRunContext extends KernelRunContext<WindowsKernel> implements WindowsKernelContext {
  get image(): WindowsKernelImage {
    const { base, pe } = this.kernel.image;
    return {
      base,
      machine: pe.machine,
      timeDateStamp: pe.timeDateStamp,
      majorOperatingSystemVersion: pe.majorOperatingSystemVersion,
      minorOperatingSystemVersion: pe.minorOperatingSystemVersion,
    };
  }

  get dtb(): number {
    return this.kernel.discovery.dtb;
  }

  async *processes(): AsyncIterable<WindowsProcess> {
    for await (const p of activeProcesses(this.kernel, this.warn())) {
      this.run.signal?.throwIfAborted();
      yield p;
    }
  }

  /** A pool scan of this run: its scanner, warnings, cancellation and progress. */
  private poolScan<T>(scan: (kernel: WindowsKernel, scanner: ScanService, warn: Warn, control: ScanProgress) => AsyncIterable<T>): AsyncIterable<T> {
    const { scanner, signal, progress } = this.run;
    return scan(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  scanProcesses(): AsyncIterable<WindowsProcess> {
    return this.poolScan(scanProcesses);
  }

  async processAt(address: bigint): Promise<WindowsProcess | null> {
    const view = await this.kernel.readStruct('_EPROCESS', address);
    if (!view) return null;
    const p = processFromView(view, address, await this.kernel.vm.translate(address));
    return looksLikeProcess(p) ? p : null;
  }

  async *threads(process: WindowsProcess): AsyncIterable<WindowsThread> {
    for await (const thread of processThreads(this.kernel, process, this.warn(processAbout(process)))) {
      this.run.signal?.throwIfAborted();
      yield thread;
    }
  }

  scanThreads(): AsyncIterable<WindowsThread> {
    return this.poolScan(scanThreads);
  }

  scanNetworkEndpoints(): AsyncIterable<NetworkEndpoint> {
    return this.poolScan(scanNetworkEndpoints);
  }

  async *tcpipEndpoints(): AsyncIterable<NetworkEndpoint> {
    for await (const endpoint of tcpipTableEndpoints(this.kernel, this.run.symbols, this.warn())) {
      this.run.signal?.throwIfAborted();
      yield endpoint;
    }
  }

  services(): AsyncIterable<ServiceRecord> {
    return scanServiceRecords(this.kernel, this.warn(), this.run.signal);
  }

  dnsCache(wanted?: (process: WindowsProcess) => boolean): AsyncIterable<DnsCacheRecord> {
    return dnsCacheRecords(this.kernel, wanted, this.warn(), this.run.signal);
  }

  scanNeighbours(): AsyncIterable<WindowsNeighbour> {
    const { scanner, signal, progress } = this.run;
    return scanNeighbours(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  scanFiles(): AsyncIterable<FileObject> {
    return this.poolScan(scanFileObjects);
  }

  scanMutants(): AsyncIterable<MutantObject> {
    return this.poolScan(scanMutants);
  }

  scanSymbolicLinks(): AsyncIterable<SymbolicLink> {
    return this.poolScan(scanSymbolicLinks);
  }

  async *objectDirectory(directory?: bigint): AsyncIterable<ObjectDirectoryEntry> {
    for await (const entry of objectDirectoryEntries(this.kernel, directory, this.warn())) {
      this.run.signal?.throwIfAborted();
      yield entry;
    }
  }

  symbolicLink(object: bigint): Promise<SymbolicLink | null> {
    return readSymbolicLink(this.kernel, object, this.warn());
  }

  processSpace(process: WindowsProcess): VirtualMemory {
    return this.kernel.processLayer(process.dtb);
  }

  processParameters(process: WindowsProcess): Promise<ProcessParameters> {
    return processParameters(this.kernel, process);
  }

  handleCount(process: WindowsProcess): Promise<number | null> {
    return handleCount(this.kernel, process);
  }

  sessionId(process: WindowsProcess): Promise<number | null> {
    return sessionId(this.kernel, process);
  }

  sharedUserData(): Promise<SharedUserData | null> {
    return readSharedUserData(this.kernel);
  }

  async readUnicodeString(address: bigint, space: VirtualMemory = this.kernel.vm): Promise<string | null> {
    const header = await space.read(address, UNICODE_STRING_SIZE);
    return header && readUnicodeString(space, header);
  }

  async *loadedModules(process: WindowsProcess, list: LoaderList = 'load'): AsyncIterable<LoaderModule> {
    for await (const module of loaderModules(this.kernel, process, list, this.warn(processAbout(process)))) {
      this.run.signal?.throwIfAborted();
      yield module;
    }
  }

  environment(process: WindowsProcess): Promise<ProcessEnvironment | null> {
    return processEnvironment(this.kernel, process, this.warn(processAbout(process)));
  }

  token(process: WindowsProcess): Promise<TokenInfo | null> {
    return readToken(this.kernel, process, this.warn(processAbout(process)));
  }

  handles(process: WindowsProcess): AsyncIterable<HandleEntry> {
    return processHandles(this.kernel, process, this.warn(processAbout(process)), this.run.signal);
  }

  async *vads(process: WindowsProcess): AsyncIterable<VadNode> {
    for await (const vad of vadTree(this.kernel, process, this.warn(processAbout(process)))) {
      this.run.signal?.throwIfAborted();
      yield vad;
    }
  }

  async *kernelModules(): AsyncIterable<WindowsKernelModule> {
    for await (const module of loadedKernelModules(this.kernel, this.warn())) {
      this.run.signal?.throwIfAborted();
      yield module;
    }
  }

  scanKernelModules(): AsyncIterable<WindowsKernelModule> {
    const { scanner, signal, progress } = this.run;
    return scanKernelModules(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  scanDrivers(): AsyncIterable<DriverObject> {
    const { scanner, signal, progress } = this.run;
    return scanDriverObjects(this.kernel, scanner, this.warn(), { signal, onProgress: progress });
  }

  unloadedDrivers(): Promise<readonly UnloadedDriver[]> {
    return unloadedDrivers(this.kernel, this.warn());
  }

  private registryReader?: RegistryReader;

  /** The run's registry reader: each hive's storage map read once a run. */
  private registry(): RegistryReader {
    return (this.registryReader ??= new RegistryReader(this, this.warn()));
  }

  hives(): AsyncIterable<RegistryHive> {
    return this.registry().hives();
  }

  hiveAt(offset: bigint): Promise<RegistryHive | null> {
    return this.registry().hiveAt(offset);
  }

  registryRoot(hive: RegistryHive): Promise<RegistryKey | null> {
    return this.registry().root(hive);
  }

  registrySubkeys(key: RegistryKey): Promise<RegistryKey[]> {
    return this.registry().subkeys(key);
  }

  registryValues(key: RegistryKey): Promise<RegistryValue[]> {
    return this.registry().values(key);
  }
}

/** How warnings about one process start: "PID 4 (System)". */
function processAbout(p: WindowsProcess): string {
  return `PID ${p.pid} (${p.name})`;
}
