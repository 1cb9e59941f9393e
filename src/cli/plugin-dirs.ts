import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeInternal, MemscopeError } from '../errors.ts';
import type { PluginDefinition } from '../plugins/plugin-definition.ts';
import { modulePlugins, type ModulePlugins } from '../plugins/third-party.ts';

const MODULE = /\.(mjs|js)$/i;

/**
 * Imports every ES module (`.mjs`, `.js`) in `dirs`, in name order. A module exports one plugin as its default
 * export, or several as `plugins`. A module that does not load, a declaration that is not valid or a name already
 * taken (memscope's own plugins come first) is a problem, not a failure: the other plugins stay usable.
 */
export async function loadPluginDirs(dirs: readonly string[], taken: readonly PluginDefinition[]): Promise<ModulePlugins> {
  const plugins: PluginDefinition[] = [];
  const problems: string[] = [];
  const names = new Set(taken.map((p) => p.name));
  for (const dir of dirs) {
    const files = await readdir(dir).catch((e: unknown) => {
      throw new MemscopeError('BAD_REQUEST', `--plugin-dir: cannot read the folder (${describeInternal(e).message})`, dir);
    });
    for (const name of files.filter((f) => MODULE.test(f)).sort()) {
      const file = join(dir, name);
      let module: Record<string, unknown>;
      try {
        module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (e) {
        problems.push(`${file}: the module does not load: ${describeInternal(e).message}`);
        continue;
      }
      const loaded = modulePlugins(module, file, names);
      plugins.push(...loaded.plugins);
      problems.push(...loaded.problems);
    }
  }
  return { plugins, problems };
}
