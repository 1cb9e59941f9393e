import type { PluginDefinition } from '../api.ts';
import { CODE_OWNER_COLUMNS, codeOwnerCells } from './code-owner-cells.ts';

export const keyboardNotifiers: PluginDefinition = {
  name: 'linux.keyboard_notifiers',
  description: 'Lists the callbacks on the keyboard notifier chain with the module and symbol each points to: a keylogger registers one.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: CODE_OWNER_COLUMNS,
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const callback of linux.keyboardNotifiers()) yield { depth: 0, values: await codeOwnerCells(linux, callback) };
  },
};
