import type { PluginDefinition, PluginRow, RegistryKey, WindowsKernelContext } from '../api.ts';
import { lookupKey, selectedHives } from './registry-path.ts';
import { formatValueData, valueTypeName } from './registry-values.ts';

/** Keys below the one asked for, at most this deep (real hives nest about 30 levels). */
const MAX_DEPTH = 512;

export const printkey: PluginDefinition = {
  name: 'windows.registry.printkey',
  description: "Lists a registry key's subkeys and values in every hive (or one): last write time, type, decoded data.",
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Last Write Time', type: 'datetime' },
    { name: 'Hive Offset', type: 'hex', address: 'kernel' },
    { name: 'Type', type: 'str' },
    { name: 'Key', type: 'str' },
    { name: 'Name', type: 'str' },
    { name: 'Data', type: 'str' },
    { name: 'Volatile', type: 'bool' },
  ],
  options: [
    { name: 'offset', type: 'int', description: 'Hive Offset' },
    { name: 'key', type: 'str', description: 'Key to start from' },
    { name: 'recurse', type: 'bool', default: false, description: 'Recurses through keys' },
  ],
  tree: true,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const offset = ctx.options['offset'] as number | undefined;
    const key = ctx.options['key'] as string | undefined;
    const recurse = ctx.options['recurse'] === true;
    for await (const hive of selectedHives(kernel, offset, (message) => ctx.warn({ code: 'UNREADABLE', message }))) {
      ctx.signal?.throwIfAborted();
      const hiveName = hive.name ?? '[NONAME]';
      const { path, missing } = await lookupKey(kernel, hive, key);
      if (missing !== undefined) {
        // As Volatility 3: a row naming the key for each hive that lacks it; and where the path stops, as a warning.
        yield { depth: 0, values: [null, hive.offset, 'Key', `${hiveName}\\${key ?? ''}`, null, null, null] };
        const closest = [hiveName, ...path.slice(1).map((k) => k.name)].join('\\');
        ctx.warn({
          code: 'NOT_FOUND',
          message:
            path.length === 0
              ? `${hiveName}: the hive's root key is not readable, so ${key ?? 'the root'} is not found`
              : `key not found: ${closest} has no subkey ${missing} (the closest existing key to ${hiveName}\\${key ?? ''})`,
        });
        continue;
      }
      const walk = new KeyWalk(kernel, recurse, (message) => ctx.warn({ code: 'LIMIT', message }));
      yield* walk.rows(path, [hiveName, ...path.slice(1).map((k) => k.name)].join('\\'), 0);
    }
  },
};

/** Volatility's order: each subkey (then, with recurse, its own keys and values), then the key's values. */
class KeyWalk {
  constructor(
    private readonly kernel: WindowsKernelContext,
    private readonly recurse: boolean,
    private readonly warn: (message: string) => void,
  ) {}

  async *rows(path: readonly RegistryKey[], keyPath: string, depth: number): AsyncGenerator<PluginRow> {
    const key = path.at(-1)!;
    const offset = key.hive.offset;
    for (const sub of await this.kernel.registrySubkeys(key)) {
      yield { depth, values: [sub.lastWrite, offset, 'Key', keyPath, sub.name, null, sub.volatile] };
      // A key met again on its own path (a corrupt list) is shown, not entered.
      if (!this.recurse || path.some((k) => k.cell === sub.cell)) continue;
      if (depth >= MAX_DEPTH) this.warn(`${keyPath}\\${sub.name}: keys nested deeper than ${MAX_DEPTH} levels left out`);
      else yield* this.rows([...path, sub], `${keyPath}\\${sub.name}`, depth + 1);
    }
    for (const value of await this.kernel.registryValues(key)) {
      const data = value.data === null ? null : formatValueData(value.type, value.data);
      yield { depth, values: [key.lastWrite, offset, valueTypeName(value.type), keyPath, value.name || '(Default)', data, key.volatile] };
    }
  }
}
