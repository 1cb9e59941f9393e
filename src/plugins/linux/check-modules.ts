import type { PluginDefinition } from '../api.ts';

/** A loaded module's kobject is referenced by sysfs and its holders; built-in modules' by fewer (Volatility 3's cut). */
const LOADED_MODULE_REFERENCES = 2;

export const checkModules: PluginDefinition = {
  name: 'linux.check_modules',
  description: 'Lists modules that /sys/module knows but the module list does not: a module unlinked from the list to hide it.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [
    { name: 'Module Address', type: 'hex', address: 'kernel' },
    { name: 'Module Name', type: 'str' },
  ],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const listed = new Set<string>();
    for await (const m of linux.modules()) listed.add(m.name);
    const reported = new Set<string>();
    for await (const k of linux.moduleKobjects()) {
      ctx.signal?.throwIfAborted();
      if (k.name === '' || k.references <= LOADED_MODULE_REFERENCES || listed.has(k.name) || reported.has(k.name)) continue;
      reported.add(k.name);
      yield { depth: 0, values: [k.module, k.name] };
    }
  },
};
