import type { PluginDefinition } from '../api.ts';
import { CODE_OWNER_COLUMNS, codeOwnerCells } from './code-owner-cells.ts';

export const ttyCheck: PluginDefinition = {
  name: 'linux.tty_check',
  description:
    'Lists each open tty’s line-discipline receive handler with the module and symbol it points to: a tty keylogger ' +
    'replaces it (anything but n_tty_receive_buf in the kernel deserves a look).',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns: [{ name: 'Name', type: 'str' }, ...CODE_OWNER_COLUMNS],
  options: [],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    for await (const tty of linux.ttyReceivers()) yield { depth: 0, values: [tty.name, ...(await codeOwnerCells(linux, tty.handler))] };
  },
};
