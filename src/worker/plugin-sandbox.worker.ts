import { expose } from 'comlink';
import type { ImagePluginInfo, Outcome, PluginInfo } from '../engine/engine-api.ts';
import { InlineScanService } from '../engine/inline-scan-service.ts';
import { MemoryKeyValueCache } from '../engine/kv-cache.ts';
import type { PluginModule, PluginSandboxApi } from '../engine/plugin-sandbox-api.ts';
import { pluginInfo } from '../engine/plugin-info.ts';
import type { SessionSeed } from '../engine/session-seed.ts';
import { openSession } from '../engine/session.ts';
import { describeInternal, MemscopeError } from '../errors.ts';
import { BlobCompanions } from '../io/blob-companions.ts';
import { BlobSource } from '../io/blob-source.ts';
import { instantiateMemscopeWasm } from '../layers/wasm-module.ts';
import type { PluginDefinition } from '../plugins/plugin-definition.ts';
import { builtinPlugins } from '../plugins/registry.ts';
import { modulePlugins, type ModulePlugins } from '../plugins/third-party.ts';
import { MemorySymbolStore } from '../symbols/symbol-store.ts';
import { settle } from './job-runner.ts';
import { SessionJobs } from './session-jobs.ts';
import { isIsolated, lockDown } from './sandbox-isolation.ts';

/** What the page sends first, and only once: the port memscope talks on and memscope.wasm. */
export interface SandboxInit {
  readonly port: MessagePort;
  readonly wasm: ArrayBuffer;
}

/**
 * The plugin sandbox: third-party plugins and a session of their own on the engine worker's image, opened with the
 * engine's discovery and symbols. memscope's own plugins are here too, for the third-party ones to build on.
 */
class PluginSandbox extends SessionJobs implements PluginSandboxApi {
  /** memscope's own plugins, then the third-party ones added. */
  private plugins: readonly PluginDefinition[] = builtinPlugins;
  private readonly module: Promise<WebAssembly.Module>;

  constructor(
    wasm: ArrayBuffer,
    private readonly isolated: boolean,
  ) {
    super();
    this.module = WebAssembly.compile(wasm);
  }

  async add(module: PluginModule): Promise<Outcome<PluginInfo[]>> {
    await this.closeSession();
    return settle(async () => {
      if (!this.isolated) throw new MemscopeError('UNSUPPORTED', NOT_ISOLATED, module.fileName);
      const { plugins, problems } = declared(await importModule(module), module.fileName, new Set(this.plugins.map((p) => p.name)));
      if (problems.length > 0) throw new MemscopeError('BAD_PLUGIN', problems.join('\n'));
      if (plugins.length === 0)
        throw new MemscopeError('BAD_PLUGIN', 'the module exports no plugin (export default { name, version, ... })', module.fileName);
      this.plugins = [...this.plugins, ...plugins];
      return plugins.map(pluginInfo);
    });
  }

  async open(
    file: Blob,
    fileName: string,
    seed: SessionSeed,
    companions: readonly { name: string; blob: Blob }[] = [],
  ): Promise<Outcome<ImagePluginInfo[]>> {
    await this.closeSession();
    return settle(async () => {
      const module = await this.module;
      const symbols = new MemorySymbolStore('symbols from the analysis engine');
      for (const { name, bytes } of seed.symbolFiles) await symbols.putFile(name, bytes);
      this.session = await openSession(
        new BlobSource(file, fileName),
        {
          wasm: await instantiateMemscopeWasm(module),
          symbols,
          scanner: new InlineScanService(module),
          discoveryCache: new MemoryKeyValueCache(seed.cacheEntries),
          plugins: this.plugins,
        },
        new BlobCompanions(companions),
      );
      return this.session.plugins().filter((p) => p.origin !== undefined);
    });
  }

  async ping(): Promise<void> {}
}

const NOT_ISOLATED =
  "this browser does not isolate third-party plugins (the plugin sandbox needs an opaque origin and the page's Content-Security-Policy): use Chromium or Chrome, or the memscope command line";

/** modulePlugins, where the declaration's own code (a getter) throwing is the module's fault, not memscope's. */
function declared(module: Record<string, unknown>, origin: string, taken: Set<string>): ModulePlugins {
  try {
    return modulePlugins(module, origin, taken);
  } catch (e) {
    throw new MemscopeError('BAD_PLUGIN', `the declaration cannot be read: ${describeInternal(e).message}`, origin);
  }
}

/** Imports a module from its text (a blob: URL, which the page's CSP allows for scripts). */
async function importModule(module: PluginModule): Promise<Record<string, unknown>> {
  const url = URL.createObjectURL(new Blob([module.text], { type: 'text/javascript' }));
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new MemscopeError('BAD_PLUGIN', `the module does not load: ${describeInternal(e).message}`, module.fileName);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// Decided before any plugin code runs, which could fake what the check looks at.
const isolated = isIsolated();
lockDown();
self.addEventListener('message', (e: MessageEvent<SandboxInit>) => expose(new PluginSandbox(e.data.wasm, isolated), e.data.port), { once: true });
