import type { ImagePluginInfo, Outcome, PluginInfo, PluginJobs } from './engine-api.ts';
import type { SessionSeed } from './session-seed.ts';

/** A third-party plugin module as the user added it. */
export interface PluginModule {
  readonly fileName: string;
  readonly text: string;
}

/**
 * The plugin sandbox's interface (comlink over a port only memscope holds). Third-party plugins run there, in a worker
 * of their own, never on the page or in the engine worker; the page stops the worker when a plugin hangs.
 */
export interface PluginSandboxApi extends PluginJobs {
  /**
   * Imports a module and offers its plugins, whose names must be neither memscope's own nor an earlier module's: the
   * plugins, or why none can be used (BAD_PLUGIN naming the file and every problem). Closes the open image.
   */
  add(module: PluginModule): Promise<Outcome<PluginInfo[]>>;
  /**
   * Opens the engine worker's image with its discovery and symbols (`companions`: the files chosen with it that its
   * format may ask for, a VMware .vmem's .vmss): the added plugins that apply, with what each lacks.
   */
  open(file: Blob, fileName: string, seed: SessionSeed, companions?: readonly { name: string; blob: Blob }[]): Promise<Outcome<ImagePluginInfo[]>>;
  /** Answers as soon as the worker's event loop is free: the page's sign of life. */
  ping(): Promise<void>;
}
