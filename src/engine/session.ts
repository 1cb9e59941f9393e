import { MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { containerFormats, openImage } from '../formats/detect.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import { confirmDiscovery, discoverWindows, type DiscoveryOutcome, type WindowsDiscovery } from '../os/windows/discovery.ts';
import { confirmLinux, discoverLinux, discoverLinuxFromNotes, linuxKernelLayer, vmcoreinfoOf, type LinuxDiscovery, type LinuxOutcome } from '../os/linux/discovery.ts';
import { loadKernelSymbolTable } from '../os/linux/kernel-symbols.ts';
import { linuxIsfText } from '../os/linux/isf-export.ts';
import { LinuxKernel } from '../os/linux/linux-kernel.ts';
import { LinuxSymbolTable } from '../os/linux/linux-symbol-table.ts';
import { userAddressSpace } from '../os/linux/process-memory.ts';
import type { KernelImage } from '../os/windows/kernel-locator.ts';
import { readSharedUserData, windowsVersionLabel } from '../os/windows/kuser-shared-data.ts';
import { processAddressSpace } from '../os/windows/process-list.ts';
import { WindowsKernel } from '../os/windows/windows-kernel.ts';
import { columnsFor, pluginOs, type OsName, type PluginContext, type PluginDefinition, type PluginRecord } from '../plugins/plugin-definition.ts';
import type { Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { checkOptions } from '../plugins/plugin-options.ts';
import { builtinPlugins, findPlugin } from '../plugins/registry.ts';
import { MissingSymbolsError } from '../symbols/missing-symbols.ts';
import { linuxIdentity, pdbKey, symbolKey } from '../symbols/symbol-table.ts';
import { isMemscopeError } from '../errors.ts';
import type { SymbolStore } from '../symbols/symbol-store.ts';
import type { ImagePluginInfo, ImageSummary, MemoryRead, MemorySpace, MissingSymbols, ProcessSpace } from './engine-api.ts';
import { pluginInfo } from './plugin-info.ts';
import { BUILD_ID } from './build-id.ts';
import { DiscoveryCache } from './discovery-cache.ts';
import { imageFingerprint } from './image-fingerprint.ts';
import { requirementsError, unmetRequirements, type Unmet } from './requirements.ts';
import { checkReadLength, checkSpace, parseAddress, readPhysical, readVirtual } from './memory-read.ts';
import type { KeyValueCache } from './kv-cache.ts';
import type { ScanService } from './scan-service.ts';
import type { AnalysisSession, PluginRun, RunControl } from './session-api.ts';
import { RunWarnings } from './run-warnings.ts';

export interface SessionEnv {
  readonly wasm: MemscopeWasm;
  readonly symbols: SymbolStore;
  readonly scanner: ScanService;
  /** Remembers discovery per image so reopening repeats none. */
  readonly discoveryCache?: KeyValueCache;
  /** The plugins this session offers: the built-ins unless given (e.g. with third-party plugins added). */
  readonly plugins?: readonly PluginDefinition[];
  /** Which build writes and reads "no OS found" in the discovery cache; defaults to the compiled-in BUILD_ID. */
  readonly buildId?: string;
  readonly signal?: AbortSignal;
}

type WindowsSearch = { readonly discovery: WindowsDiscovery; readonly image: KernelImage } | Extract<DiscoveryOutcome, { discovery: null }>;

const DISCOVERY_CACHE_VERSION = 2;

const LINUX_CACHE_VERSION = 1;
const NOT_WINDOWS: WindowsSearch = { discovery: null, partial: false, why: 'this is a Linux image' };

/**
 * Opens an image: container detection, OS discovery (cached per image), symbols when available. Linux is
 * recognised at once by VMCOREINFO in the container's notes; otherwise Windows discovery runs first and,
 * when it finds nothing, physical memory is searched for Linux's VMCOREINFO.
 */
export async function openSession(source: ByteSource, env: SessionEnv): Promise<Session> {
  const physical = await openImage(source);
  const fingerprint = await imageFingerprint(source);
  const cache = new DiscoveryCache(env.discoveryCache, env.buildId ?? BUILD_ID);
  const linuxKey = `linux/v${LINUX_CACHE_VERSION}/${fingerprint}`;
  let linux = (await cache.get<LinuxOutcome>(linuxKey)) ?? null;
  if (linux?.discovery && !(await confirmLinux(physical, env.wasm, linux.discovery))) linux = null;
  if (!linux) {
    linux = await discoverLinuxFromNotes(physical, env.wasm);
    if (linux) await cache.set(linuxKey, linux);
  }
  let windows = linux?.discovery ? NOT_WINDOWS : await findWindows(fingerprint, physical, env, cache);
  if (!windows.discovery && !linux) {
    linux = await discoverLinux(physical, env.wasm, env.scanner, env.signal);
    await cache.set(linuxKey, linux);
    if (linux.discovery) windows = NOT_WINDOWS;
  }
  const session = new Session(source, physical, env, windows, linux);
  await session.loadSymbols();
  return session;
}

async function findWindows(fingerprint: string, physical: PhysicalLayer, env: SessionEnv, cache: DiscoveryCache): Promise<WindowsSearch> {
  const key = `windows/v${DISCOVERY_CACHE_VERSION}/${fingerprint}`;
  const cached = await cache.get<DiscoveryOutcome>(key);
  if (cached && !cached.discovery) return cached;
  if (cached?.discovery) {
    const image = await confirmDiscovery(physical, env.wasm, cached.discovery);
    if (image) return { discovery: cached.discovery, image };
  }
  const outcome = await discoverWindows(physical, env.wasm, env.signal);
  await cache.set(key, outcome);
  if (!outcome.discovery) return outcome;
  const image = await confirmDiscovery(physical, env.wasm, outcome.discovery);
  return image ? { discovery: outcome.discovery, image } : { discovery: null, partial: true, why: 'the kernel image found during discovery could not be read again' };
}

/** A run's control and the warnings it collects, which the plugins it reads (ctx.runPlugin) add to. */
interface ActiveRun extends RunControl {
  readonly warnings: RunWarnings;
}

export class Session implements AnalysisSession {
  private kernel: WindowsKernel | null = null;
  private linuxKernel: LinuxKernel | null = null;
  /** Why the Linux kernel context could not be built (no BTF and no ISF, BTF unreadable, ...). */
  private linuxFailure: MemscopeError | undefined;
  private missing: MissingSymbols | undefined;
  private osVersion: string | undefined;

  constructor(
    readonly source: ByteSource,
    readonly physical: PhysicalLayer,
    private readonly env: SessionEnv,
    private readonly windows: WindowsSearch,
    private readonly linuxOutcome: LinuxOutcome | null,
  ) {
    this.linux = linuxOutcome?.discovery ? { discovery: linuxOutcome.discovery } : null;
  }

  private readonly linux: { readonly discovery: LinuxDiscovery } | null;

  /** (Re)tries the symbol store (and, for Linux, the image's own BTF); true when the kernel context is ready. */
  async loadSymbols(): Promise<boolean> {
    if (this.linux) return this.loadLinuxSymbols();
    if (!this.windows.discovery || this.kernel) return this.kernel !== null;
    const { discovery, image } = this.windows;
    const key = pdbKey(discovery.pdbName, discovery.guid, discovery.age);
    const table = await this.env.symbols.get(key);
    if (!table) {
      this.missing = { kind: 'pdb', pdbName: discovery.pdbName, guid: discovery.guid, age: discovery.age };
      return false;
    }
    this.missing = undefined;
    this.kernel = new WindowsKernel(this.physical, this.env.wasm, discovery, image, table, key);
    const shared = await readSharedUserData(this.kernel);
    this.osVersion = shared ? windowsVersionLabel(shared) : 'Windows x64';
    return true;
  }

  /** A Volatility 3 ISF for this banner from the symbol store wins; else the image's own BTF + kallsyms. */
  private async loadLinuxSymbols(): Promise<boolean> {
    if (this.linuxKernel) return true;
    const d = this.linux!.discovery;
    const vm = linuxKernelLayer(this.physical, this.env.wasm, d.dtb);
    try {
      const isf = await this.env.symbols.get(symbolKey(linuxIdentity(d.banner)));
      const table = isf ?? (await loadKernelSymbolTable(vm, d, this.env.discoveryCache, this.env.signal));
      this.linuxKernel = new LinuxKernel(this.physical, this.env.wasm, d, table, isf ? BigInt(d.kaslrOffset) : 0n);
      this.linuxFailure = undefined;
      return true;
    } catch (e) {
      if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
      this.linuxFailure = e;
      return false;
    }
  }

  get summary(): ImageSummary {
    if (this.linux) return this.linuxSummary(this.linux.discovery);
    const d = this.windows.discovery;
    return {
      ...this.containerSummary(),
      os: d ? 'windows' : null,
      osVersion: this.osVersion ?? (d ? 'Windows x64 (symbols needed for the exact version)' : undefined),
      dtb: d ? `0x${d.dtb.toString(16)}` : undefined,
      kernelBase: d?.kernelBase,
      symbols: this.kernel ? this.kernel.symbols.origin : d ? `missing: ${pdbKey(d.pdbName, d.guid, d.age)}` : undefined,
      missingSymbols: this.missing,
      warnings: [
        ...this.physical.warnings,
        ...(!this.windows.discovery && this.windows.partial ? [this.windows.why] : []),
        ...(this.linuxOutcome && !this.linuxOutcome.discovery && this.linuxOutcome.partial ? [this.linuxOutcome.why] : []),
      ],
    };
  }

  private containerSummary(): Pick<ImageSummary, 'fileName' | 'format' | 'formatDescription' | 'fileSize' | 'physicalSize' | 'capturedBytes'> {
    return {
      fileName: this.source.name,
      format: this.physical.format,
      formatDescription: containerFormats.find((f) => f.id === this.physical.format)?.description ?? this.physical.format,
      fileSize: this.source.size,
      physicalSize: this.physical.size,
      capturedBytes: this.physical.capturedBytes,
    };
  }

  private linuxSummary(d: LinuxDiscovery): ImageSummary {
    return {
      ...this.containerSummary(),
      os: 'linux',
      osVersion: `Linux ${d.release}`,
      dtb: `0x${d.dtb.toString(16)}`,
      kernelBase: `0x${(vmcoreinfoOf(d).symbol('_stext') ?? 0n).toString(16)}`,
      symbols: this.linuxKernel?.symbols.origin ?? (this.linuxFailure ? 'missing' : undefined),
      missingSymbols:
        isMemscopeError(this.linuxFailure) && this.linuxFailure.code === 'SYMBOLS_MISSING'
          ? { kind: 'linux', release: d.release, banner: d.banner, reason: this.linuxFailure.message }
          : undefined,
      warnings: [...this.physical.warnings, ...(this.linuxFailure ? [this.linuxFailure.message] : [])],
    };
  }

  /** The plugins for this image's OS, each with the reasons it cannot run here (none when it can). */
  plugins(): ImagePluginInfo[] {
    const os = this.summary.os;
    return this.pluginSet
      .filter((p) => pluginOs(p) === 'any' || pluginOs(p) === os)
      .map((p) => ({ ...pluginInfo(p), unmet: this.unmet(p).map((u) => u.reason) }));
  }

  /** The columns a run of `name` with these options yields (options may change them). */
  columns(name: string, options: PluginOptions): Column[] {
    return [...columnsFor(this.plugin(name), options)];
  }

  /** A run whose rows stream once its options and every requirement have been checked; the handle holds this run's warnings. */
  run(name: string, options: PluginOptions, control: RunControl): PluginRun {
    const run: ActiveRun = { ...control, warnings: new RunWarnings() };
    const rows = this.rows(name, options, run);
    return {
      [Symbol.asyncIterator]: () => rows,
      get warnings() {
        return run.warnings.list;
      },
    };
  }

  private async *rows(name: string, options: PluginOptions, control: ActiveRun): AsyncGenerator<PluginRow> {
    const plugin = this.plugin(name);
    checkOptions(plugin.options, options);
    await this.loadSymbols(); // symbols may have arrived since the image was opened
    const unmet = this.unmet(plugin);
    if (unmet.length > 0) throw requirementsError(plugin, unmet);
    yield* plugin.run(this.context(plugin, options, control));
  }

  private get pluginSet(): readonly PluginDefinition[] {
    return this.env.plugins ?? builtinPlugins;
  }

  private plugin(name: string): PluginDefinition {
    const plugin = findPlugin(name, this.pluginSet);
    if (!plugin) throw new MemscopeError('BAD_REQUEST', `no plugin named ${name}; see the plugin list`);
    return plugin;
  }

  private context(plugin: PluginDefinition, options: PluginOptions, control: ActiveRun): PluginContext {
    return {
      physical: this.physical,
      scanner: this.env.scanner,
      options,
      signal: control.signal,
      windows: () => this.requireWindows(),
      linux: () => this.requireLinux(),
      runPlugin: (name, depOptions = {}) => this.records(plugin, name, depOptions, control),
      progress: (done, total, stage) => control.onProgress?.(done, total, stage),
      warn: (w) => control.warnings.add(w),
    };
  }

  /** A declared dependency's rows for ctx.runPlugin, cells keyed by column name; it runs in the same run. */
  private async *records(parent: PluginDefinition, name: string, options: PluginOptions, control: ActiveRun): AsyncIterable<PluginRecord> {
    if (!parent.requirements.some((r) => r.kind === 'plugin' && r.name === name)) {
      throw new MemscopeError('BAD_REQUEST', `${parent.name} reads plugin ${name} without declaring it among its requirements`);
    }
    const dependency = this.plugin(name);
    checkOptions(dependency.options, options);
    const columns = columnsFor(dependency, options);
    for await (const row of dependency.run(this.context(dependency, options, control))) {
      yield { depth: row.depth, cells: Object.fromEntries(columns.map((c, i) => [c.name, row.values[i] ?? null])) };
    }
  }

  private unmet(plugin: PluginDefinition): Unmet[] {
    return unmetRequirements(plugin, this.pluginSet, (os) => this.kernelUnmet(os));
  }

  /** Why the image offers no ready `os` kernel (none found, another OS, symbols missing), or undefined. */
  private kernelUnmet(os: OsName): Unmet | undefined {
    if (os === 'windows' ? this.kernel : this.linuxKernel) return undefined;
    const name = os === 'windows' ? 'Windows' : 'Linux';
    const notFound = os === 'windows' ? (this.windows.discovery ? undefined : this.windows.why) : this.linux ? undefined : this.noLinuxReason();
    if (notFound !== undefined) return { reason: `needs a ${name} kernel: ${notFound}`, error: new MemscopeError('OS_NOT_FOUND', notFound, this.source.name) };
    const missing = os === 'windows' ? this.missing : undefined;
    if (missing?.kind === 'pdb') {
      const table = pdbKey(missing.pdbName, missing.guid, missing.age);
      return { reason: `needs the symbol table ${table}: drop it (or a symbol pack) on the page, or pass -s DIR`, error: new MissingSymbolsError(missing, this.env.symbols.describe()) };
    }
    const failure = (os === 'linux' && this.linuxFailure) || new MemscopeError('SYMBOLS_MISSING', 'the kernel symbol table could not be loaded', this.source.name);
    return { reason: `needs the ${name} kernel's symbols: ${failure.message.split('\n')[0]}`, error: failure };
  }

  private noLinuxReason(): string {
    if (this.windows.discovery) return 'this is a Windows image';
    return this.linuxOutcome && !this.linuxOutcome.discovery ? this.linuxOutcome.why : 'no Linux kernel found';
  }

  /**
   * Raw bytes of physical memory, of the kernel address space or of a process's (OS_NOT_FOUND / SYMBOLS_MISSING
   * without a kernel context, BAD_REQUEST for a PID without a user address space).
   */
  async readMemory(space: MemorySpace, address: string, length: number): Promise<MemoryRead> {
    const at = parseAddress(address);
    checkReadLength(length);
    checkSpace(space);
    if (space === 'physical') return readPhysical(this.physical, at, length);
    return readVirtual(await this.virtualSpace(space), at, length);
  }

  /** The kernel's address space, or a process's through its own page tables. */
  private async virtualSpace(space: 'kernel' | ProcessSpace): Promise<VirtualLayer> {
    if (this.linux) {
      const kernel = await this.requireLinux();
      return space === 'kernel' ? kernel.vm : userAddressSpace(kernel, space.pid);
    }
    const kernel = await this.requireWindows();
    return space === 'kernel' ? kernel.vm : processAddressSpace(kernel, space.pid);
  }

  /** The Linux kernel's own table (BTF + kallsyms) as Volatility 3 ISF text. */
  async linuxIsf(producerVersion: string): Promise<string> {
    const kernel = await this.requireLinux();
    if (!(kernel.symbols instanceof LinuxSymbolTable)) {
      throw new MemscopeError('BAD_REQUEST', `the symbols in use already come from an ISF (${kernel.symbols.origin})`, this.source.name);
    }
    return linuxIsfText(kernel.symbols, kernel.discovery, producerVersion);
  }

  private async requireLinux(): Promise<LinuxKernel> {
    if (!this.linuxKernel && this.linux) await this.loadLinuxSymbols();
    if (this.linuxKernel) return this.linuxKernel;
    throw this.kernelUnmet('linux')!.error;
  }

  private async requireWindows(): Promise<WindowsKernel> {
    if (!this.kernel && this.windows.discovery) await this.loadSymbols();
    if (this.kernel) return this.kernel;
    throw this.kernelUnmet('windows')!.error;
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}
