import type { IdbPluginLibrary } from '../browser/idb-plugin-library.ts';
import type { EngineApi, EngineFailure, ImagePluginInfo, JobProgress, Outcome, PluginInfo, RunSummary } from '../engine/engine-api.ts';
import type { PluginModule } from '../engine/plugin-sandbox-api.ts';
import type { SessionSeed } from '../engine/session-seed.ts';
import type { Column, PluginOptions, PluginRow } from '../plugins/plugin.ts';
import { PluginSandbox, SandboxStopped } from '../worker/plugin-sandbox-client.ts';

/** How long the sandbox may not answer (a plugin blocking its thread) before it is stopped. */
const RESPONSE_LIMIT_MS = 10_000;
/** How long a cancelled third-party run may take to end before its sandbox is stopped. */
const CANCEL_GRACE_MS = 2_000;

/** The image the engine worker has open, for the sandbox to open too. */
export interface SandboxImage {
  readonly file: Blob;
  readonly fileName: string;
  /** The files chosen with it that its format may ask for (a VMware .vmem's .vmss). */
  readonly companions?: readonly { name: string; blob: Blob }[];
  /** The engine's discovery and symbols for it (asked for only when some module is stored). */
  readonly seed: () => Promise<Outcome<SessionSeed>>;
}

/** A stored module that cannot be used now, and why; it stays listed so that it can be removed. */
export interface BrokenModule {
  readonly fileName: string;
  readonly failure: EngineFailure;
}

/** The third-party plugins for the open image, and the stored modules that fail. */
export interface ThirdPartyList {
  readonly plugins: readonly ImagePluginInfo[];
  readonly broken: readonly BrokenModule[];
}

/** A new sandbox with every usable stored module added; `added`: the plugins of the module being added. */
interface Loaded {
  readonly sandbox: PluginSandbox;
  readonly broken: readonly BrokenModule[];
  readonly added: readonly PluginInfo[];
}

/** A sandbox with every usable stored module added and the image open. */
interface Prepared extends ThirdPartyList {
  readonly sandbox: PluginSandbox;
}

const didNotLoad = (fileName: string, e: SandboxStopped): EngineFailure => ({
  code: 'BAD_PLUGIN',
  message: `${fileName}: the module did not finish loading: the plugin sandbox ${e.message} and was stopped`,
});

/**
 * Third-party plugins on the page's side: the modules the user added (kept in IndexedDB), checked and run in a plugin
 * sandbox worker, which is replaced whenever it had to be stopped (a hang, a Cancel it ignores) or the modules change.
 * run, columns and cancel have the engine's signatures, so the page treats both alike.
 */
export class ThirdPartyPlugins implements Pick<EngineApi, 'run' | 'columns' | 'cancel'> {
  private image: SandboxImage | undefined;
  private prepared: Promise<Outcome<Prepared>> | undefined;
  /** Stored modules whose loading stopped the sandbox: left out until the page is reloaded or they are added again. */
  private readonly hung = new Map<string, EngineFailure>();
  private readonly jobs = new Map<string, PluginSandbox>();
  /** Called about twice a second with how long the sandbox has not answered. */
  onSilence: (ms: number) => void = () => undefined;

  constructor(
    private readonly library: IdbPluginLibrary,
    /** The app's folder: the sandbox bundle and memscope.wasm. */
    private readonly base: URL,
    readonly limitMs = RESPONSE_LIMIT_MS,
  ) {}

  /** A new image: its third-party plugins (every stored module added to a new sandbox, which opens the image too). */
  async open(image: SandboxImage): Promise<Outcome<ThirdPartyList>> {
    this.image = image;
    this.reset();
    return this.list();
  }

  /** The third-party plugins for the open image (none before an image is open or a module is stored). */
  async list(): Promise<Outcome<ThirdPartyList>> {
    if (!this.image || (await this.library.list()).length === 0) return { ok: true, value: { plugins: [], broken: [] } };
    const prepared = await this.ready();
    return prepared.ok ? { ok: true, value: { plugins: prepared.value.plugins, broken: prepared.value.broken } } : prepared;
  }

  /**
   * Checks a module in a new sandbox, after the stored ones (whose plugin names it must not take), and stores it: its
   * plugins, or BAD_PLUGIN naming the file and every problem, and then nothing is stored. The sandbox goes on to run
   * them all.
   */
  async add(file: File): Promise<Outcome<PluginInfo[]>> {
    const module: PluginModule = { fileName: file.name, text: await file.text() };
    this.reset();
    const loaded = await this.load(module);
    if (!loaded.ok) return loaded;
    await this.library.put({ ...module, names: loaded.value.added.map((p) => p.name), added: new Date().toISOString() });
    this.hung.delete(module.fileName);
    if (this.image) this.prepared = this.openImage(loaded.value, this.image);
    else loaded.value.sandbox.stop('checked');
    return { ok: true, value: [...loaded.value.added] };
  }

  async remove(fileName: string): Promise<void> {
    await this.library.remove(fileName);
    this.hung.delete(fileName);
    this.reset();
  }

  async columns(plugin: string, options: PluginOptions): Promise<Column[]> {
    const prepared = await this.ready();
    if (!prepared.ok) throw new Error(prepared.error.message);
    return prepared.value.sandbox.call((api) => api.columns(plugin, options));
  }

  async run(
    jobId: string,
    plugin: string,
    options: PluginOptions,
    onRows: (rows: PluginRow[]) => void,
    onProgress: (p: JobProgress) => void,
  ): Promise<Outcome<RunSummary>> {
    const prepared = await this.ready();
    if (!prepared.ok) return prepared;
    const { sandbox, plugins } = prepared.value;
    this.jobs.set(jobId, sandbox);
    try {
      return await sandbox.call((api) => api.run(jobId, plugin, options, onRows, onProgress));
    } catch (e) {
      if (!(e instanceof SandboxStopped)) throw e;
      const origin = plugins.find((p) => p.name === plugin)?.origin ?? 'third-party module';
      const message = `${origin}: third-party plugin ${plugin} ${e.message} and was stopped — report it to the plugin's author`;
      return { ok: false, error: { code: 'PLUGIN_FAILED', message } };
    } finally {
      this.jobs.delete(jobId);
    }
  }

  /** Asks the run to end; when it has not after CANCEL_GRACE_MS (a plugin that never yields), its sandbox is stopped. */
  cancel(jobId: string): void {
    const sandbox = this.jobs.get(jobId);
    if (!sandbox) return;
    sandbox.call((api) => api.cancel(jobId)).catch(() => undefined);
    setTimeout(() => {
      if (this.jobs.get(jobId) === sandbox) sandbox.stop('did not respond to Cancel');
    }, CANCEL_GRACE_MS);
  }

  /** The prepared sandbox; a new one when there is none yet or it was stopped. */
  private async ready(): Promise<Outcome<Prepared>> {
    // A preparation that threw (the sandbox's code could not be fetched) is tried again.
    const current = await this.prepared?.catch(() => undefined);
    if (current && !(current.ok && current.value.sandbox.stopped)) return current;
    const next = this.prepare();
    this.prepared = next;
    return next;
  }

  private async prepare(): Promise<Outcome<Prepared>> {
    const image = this.image;
    if (!image) return { ok: false, error: { code: 'BAD_REQUEST', message: 'open an image first' } };
    const loaded = await this.load();
    return loaded.ok ? this.openImage(loaded.value, image) : loaded;
  }

  /** A new sandbox with every stored module that loads, then `candidate`, which must load. */
  private async load(candidate?: PluginModule): Promise<Outcome<Loaded>> {
    const stored = (await this.library.list()).filter((m) => m.fileName !== candidate?.fileName && !this.hung.has(m.fileName));
    const broken: BrokenModule[] = [...this.hung].map(([fileName, failure]) => ({ fileName, failure }));
    const sandbox = await this.start();
    for (const module of stored) {
      try {
        const added = await sandbox.call((api) => api.add(module));
        if (!added.ok) broken.push({ fileName: module.fileName, failure: added.error });
      } catch (e) {
        if (!(e instanceof SandboxStopped)) throw e;
        // Its top-level code does not finish: start again without it.
        this.hung.set(module.fileName, didNotLoad(module.fileName, e));
        return this.load(candidate);
      }
    }
    if (!candidate) return { ok: true, value: { sandbox, broken, added: [] } };
    try {
      const added = await sandbox.call((api) => api.add(candidate));
      if (added.ok) return { ok: true, value: { sandbox, broken, added: added.value } };
      sandbox.stop('the module was refused');
      return added;
    } catch (e) {
      if (!(e instanceof SandboxStopped)) throw e;
      return { ok: false, error: didNotLoad(candidate.fileName, e) };
    }
  }

  /** Opens the image in a loaded sandbox, with the engine's discovery and symbols. */
  private async openImage({ sandbox, broken }: Loaded, image: SandboxImage): Promise<Outcome<Prepared>> {
    const seed = await image.seed();
    try {
      const opened = seed.ok ? await sandbox.call((api) => api.open(image.file, image.fileName, seed.value, image.companions)) : seed;
      if (opened.ok) return { ok: true, value: { sandbox, plugins: opened.value, broken } };
      sandbox.stop('the image could not be opened');
      return opened;
    } catch (e) {
      if (!(e instanceof SandboxStopped)) throw e;
      // Code a module left running (a timer) keeps the sandbox busy.
      return {
        ok: false,
        error: {
          code: 'PLUGIN_FAILED',
          message: `the plugin sandbox ${e.message} while it opened the image and was stopped: a third-party module keeps it busy`,
        },
      };
    }
  }

  private start(): Promise<PluginSandbox> {
    return PluginSandbox.start(this.base, this.limitMs, (ms) => this.onSilence(ms));
  }

  /** Stops the current sandbox: the next use prepares a new one. */
  private reset(): void {
    const current = this.prepared;
    this.prepared = undefined;
    current?.then((p) => p.ok && p.value.sandbox.stop('replaced')).catch(() => undefined);
  }
}
