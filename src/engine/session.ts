import { isMemscopeError, MemscopeError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { CompanionFiles } from '../io/companion-files.ts';
import { containerFormats, openImage } from '../formats/detect.ts';
import type { UnpackEnv } from '../formats/unpack/unpack-image.ts';
import { FILE_TYPE_PROBE_BYTES, identifyFileType } from '../formats/file-types.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import type { KernelBase } from '../os/kernel-base.ts';
import type { KernelLoad, OsEnv, RunScope } from '../os/os-profile.ts';
import { osProfile, osProfiles, type AnyOsProfile, type KernelAccessors, type KernelOf, type OsName } from '../os/registry.ts';
import { columnsFor, pluginOs, type PluginContext, type PluginDefinition, type PluginRecord } from '../plugins/plugin-definition.ts';
import type { Column, PluginOptions, PluginRow, RunWarning } from '../plugins/plugin.ts';
import { checkOptions } from '../plugins/plugin-options.ts';
import { builtinPlugins, findPlugin } from '../plugins/registry.ts';
import type { SymbolStore } from '../symbols/symbol-store.ts';
import type { ImagePluginInfo, ImageSummary, MemoryRead, MemorySpace, NoOsFinding, ProcessSpace } from './engine-api.ts';
import { pluginInfo } from './plugin-info.ts';
import { BUILD_ID } from './build-id.ts';
import { DiscoveryCache } from './discovery-cache.ts';
import { imageFingerprint, layoutFingerprint } from './image-fingerprint.ts';
import { findOs, type FoundOs, type OsSearch } from './os-discovery.ts';
import { sampleMemory } from './content-sample.ts';
import { noOsFinding, type NoOsClues } from './no-os-finding.ts';
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
  /** Temporary storage and progress for images that must be decompressed first (gzip, deflated ZIP members). */
  readonly unpack?: UnpackEnv;
}

/**
 * Opens an image: container detection, OS discovery in the registered profiles' order (cached per image, see
 * findOs), the kernel context when its symbols are available.
 */
export async function openSession(source: ByteSource, env: SessionEnv, companions?: CompanionFiles): Promise<Session> {
  try {
    return await openSessionOn(source, env, companions);
  } catch (e) {
    // The session owns the source and its companions from here: one that never opened still lets go of its files.
    await source.close?.();
    await companions?.close?.();
    throw e;
  }
}

async function openSessionOn(source: ByteSource, env: SessionEnv, companions: CompanionFiles | undefined): Promise<Session> {
  const physical = await openImage(source, { companions, unpack: env.unpack });
  const cache = new DiscoveryCache(env.discoveryCache, env.buildId ?? BUILD_ID);
  const fingerprint = companions?.used ? layoutFingerprint(await imageFingerprint(source), physical.runs) : await imageFingerprint(source);
  const osEnv: OsEnv = { ...env, physical, fingerprint };
  const { found, misses } = await findOs(osProfiles, osEnv, cache, fingerprint);
  if (!found) return new Session(source, fingerprint, physical, env, misses, null, await contentClues(physical), companions);
  return new Session(source, fingerprint, physical, env, misses, { ...found, load: await loadKernel(found, osEnv) }, undefined, companions);
}

/** For an image without an OS: what its first bytes say it is (raw files only), and a sample of its memory. */
async function contentClues(physical: PhysicalLayer): Promise<Pick<NoOsClues, 'fileType' | 'sample'>> {
  const head = physical.format === 'raw' ? await physical.source.read(0, Math.min(FILE_TYPE_PROBE_BYTES, physical.source.size)) : undefined;
  return { fileType: head && identifyFileType(head), sample: await sampleMemory(physical) };
}

/** The image's OS with its kernel context, or why there is none (retried until it is built). */
interface OpenedOs extends FoundOs<AnyOsProfile> {
  load: KernelLoad<KernelBase>;
}

/** The kernel context of a found OS, or why there is none (a MemscopeError it throws is that why; CANCELLED and bugs propagate). */
async function loadKernel({ profile, found }: FoundOs<AnyOsProfile>, env: OsEnv): Promise<KernelLoad<KernelBase>> {
  try {
    const load = await profile.loadKernel(env, found);
    const { discoveryCache: cache, fingerprint } = env;
    if (load.kernel && cache && fingerprint) {
      load.kernel.kept = { get: (name) => cache.get(`${name}/${fingerprint}`), set: (name, value) => cache.set(`${name}/${fingerprint}`, value) };
    }
    return load;
  } catch (e) {
    if (!isMemscopeError(e) || e.code === 'CANCELLED') throw e;
    return { kernel: null, error: e };
  }
}

/** What no-OS findings say the file is not memory at all: worth saying with any "no OS" error. */
const NOT_MEMORY: ReadonlySet<NoOsFinding['kind']> = new Set(['file-type', 'zeros', 'random']);

/** A run's control and the warnings it collects, which the plugins it reads (ctx.runPlugin) add to. */
interface ActiveRun extends RunControl {
  readonly warnings: RunWarnings;
}

export class Session implements AnalysisSession {
  /** One accessor per registered OS, named by its id; typed by the registry (KernelAccessors), which fromEntries cannot see. */
  constructor(
    readonly source: ByteSource,
    /** Identifies the image cheaply (image-fingerprint.ts): what kept results are filed under. */
    readonly fingerprint: string,
    readonly physical: PhysicalLayer,
    private readonly env: SessionEnv,
    /** Why each OS that is not here is not, in registry order. */
    private readonly misses: OsSearch<AnyOsProfile>['misses'],
    private readonly os: OpenedOs | null,
    /** Without an OS: what the content looks like, for the summary to say what the file is. */
    private readonly content?: Pick<NoOsClues, 'fileType' | 'sample'>,
    /** The files that came with the image (a VMware .vmem's .vmss), closed with it. */
    private readonly companions?: CompanionFiles,
  ) {}

  /** Tries again to build the found OS's kernel context, unless it is built from its symbols: they may have arrived since. */
  private async retryKernel(): Promise<void> {
    const os = this.os;
    if (os && (!os.load.kernel || os.load.provisional))
      os.load = await loadKernel(os, { ...this.env, physical: this.physical, fingerprint: this.fingerprint });
  }

  get summary(): ImageSummary {
    const described = this.os?.profile.summary(this.os.found, this.os.load);
    const misses = [...this.misses.values()];
    if (!this.os && this.content) {
      // Without an OS, those seen but incomplete are what the summary says, not warnings beside it.
      const noOs = noOsFinding({ osNames: osProfiles.map((p) => p.name), misses, containerWarnings: this.containerWarnings, ...this.content });
      return { ...this.containerSummary(), os: null, noOs, warnings: this.containerWarnings };
    }
    // Every OS seen but incomplete is worth saying, whichever was found.
    const partial = misses.filter((m) => m.partial).map((m) => m.why);
    return {
      ...this.containerSummary(),
      os: this.os?.profile.id ?? null,
      ...described,
      warnings: [...this.containerWarnings, ...partial, ...(described?.warnings ?? [])],
    };
  }

  /** What the container said when opened, and the damaged pages read since (as zeros), if any. */
  private get containerWarnings(): readonly string[] {
    const { damaged, format, warnings } = this.physical;
    return damaged?.count ? [...warnings, damaged.describe(format)] : warnings;
  }

  private containerSummary(): Pick<
    ImageSummary,
    'fileName' | 'fingerprint' | 'format' | 'formatDescription' | 'fileSize' | 'physicalSize' | 'capturedBytes'
  > {
    return {
      fileName: this.source.name,
      fingerprint: this.fingerprint,
      format: this.physical.format,
      formatDescription: this.formatDescription,
      fileSize: this.source.size,
      physicalSize: this.physical.size,
      capturedBytes: this.physical.capturedBytes,
    };
  }

  /** "raw physical memory (…), in gzip (decompressed to a temporary copy)". */
  private get formatDescription(): string {
    const { format, packaging } = this.physical;
    const description = containerFormats.find((f) => f.id === format)?.description ?? format;
    return packaging ? `${description}, in ${packaging}` : description;
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
    await this.retryKernel();
    const unmet = this.unmet(plugin);
    if (unmet.length > 0) throw requirementsError(plugin, unmet);
    const damaged = this.physical.damaged;
    const damagedBefore = damaged?.count ?? 0;
    try {
      yield* plugin.run(this.context(plugin, options, control));
    } finally {
      // Pages this run found damaged read as zeros: its rows may lack what they held.
      if (damaged && damaged.count > damagedBefore) control.warnings.add({ code: 'UNREADABLE', message: damaged.describe(this.physical.format) });
    }
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
    const progress = (done: number, total: number, stage: string) => control.onProgress?.(done, total, stage);
    const warn = (w: RunWarning) => control.warnings.add(w);
    return {
      ...this.kernelAccessors({ warn, progress, signal: control.signal, scanner: this.env.scanner, symbols: this.env.symbols }),
      physical: this.physical,
      physicalYara: (request, onProgress) => this.env.scanner.scanYara?.(this.physical, request, { signal: control.signal, onProgress }),
      yaraOnWorker: (request) => this.env.scanner.yaraOnWorker?.(request),
      options,
      signal: control.signal,
      output: control.output,
      runPlugin: (name, depOptions = {}) => this.records(plugin, name, depOptions, control),
      progress,
      warn,
    };
  }

  /** One accessor per registered OS for a run (ctx.windows(), ctx.linux()), each giving the same run context every time. */
  private kernelAccessors(scope: RunScope): KernelAccessors {
    const accessor = (profile: AnyOsProfile) => {
      let context: Promise<unknown> | undefined;
      return () => (context ??= this.kernel(profile.id).then((kernel) => profile.runContext(kernel, scope)));
    };
    // Typed by the registry (KernelAccessors), which fromEntries cannot see.
    return Object.fromEntries(osProfiles.map((p) => [p.id, accessor(p)])) as unknown as KernelAccessors;
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
    return unmetRequirements(plugin, this.pluginSet, (os, discovered) => this.kernelUnmet(os, discovered));
  }

  /**
   * Why the image offers no ready `os` kernel (none found, another OS, symbols missing or unusable, or only a table
   * discovered in the image when `discovered` is not enough), or undefined.
   */
  private kernelUnmet(os: OsName, discovered: boolean): Unmet | undefined {
    const profile = osProfile(os);
    if (this.os?.profile !== profile) {
      const why = this.notFound(profile);
      return { reason: `needs a ${profile.name} kernel: ${why}`, error: new MemscopeError('OS_NOT_FOUND', why, this.source.name) };
    }
    if (this.os.load.kernel) return this.os.load.provisional && !discovered ? this.os.load.provisional : undefined;
    const { error, reason } = this.os.load;
    return { reason: reason ?? `needs the ${profile.name} kernel's symbols: ${error.message.split('\n')[0]}`, error };
  }

  /** Why `profile`'s OS is not the image's (and, for content that cannot be memory, what the file is instead). */
  private notFound(profile: AnyOsProfile): string {
    if (this.os) return `this is a ${this.os.profile.name} image`;
    const why = this.misses.get(profile)?.why ?? `no ${profile.name} kernel found`;
    const noOs = this.summary.noOs;
    return noOs && NOT_MEMORY.has(noOs.kind) ? `${why}. ${noOs.verdict}` : why;
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
    const os = this.os;
    if (!os) throw new MemscopeError('OS_NOT_FOUND', osProfiles.map((p) => this.notFound(p)).join('; '), this.source.name);
    const kernel = await this.kernel(os.profile.id);
    return space === 'kernel' ? kernel.vm : os.profile.processSpace(kernel, space.pid);
  }

  /**
   * The `os` kernel context (plugins reach it as ctx.<os>()), built on first use if its symbols arrived since;
   * throws OS_NOT_FOUND / SYMBOLS_MISSING / SYMBOLS_INVALID when the image offers none.
   */
  async kernel<Os extends OsName>(os: Os): Promise<KernelOf<Os>> {
    const opened = this.os?.profile.id === os ? this.os : null;
    if (opened) await this.retryKernel();
    // The registry pairs an id with its profile's kernel type.
    if (opened?.load.kernel) return opened.load.kernel as KernelOf<Os>;
    throw this.kernelUnmet(os, true)!.error;
  }

  async close(): Promise<void> {
    // An image unpacked from the file (a temporary copy) goes with it.
    if (this.physical.packaging) await this.physical.source.close?.();
    await this.source.close?.();
    await this.companions?.close?.();
  }
}
