import { listMounts } from '../../os/linux/mounts.ts';
import type { PluginDefinition } from '../plugin-definition.ts';
import type { Column, PluginOptions } from '../plugin.ts';

const MOUNTINFO_COLUMNS: readonly Column[] = [
  { name: 'MNT_NS_ID', type: 'int' },
  { name: 'MOUNT ID', type: 'int' },
  { name: 'PARENT_ID', type: 'int' },
  { name: 'MAJOR:MINOR', type: 'str' },
  { name: 'ROOT', type: 'str' },
  { name: 'MOUNT_POINT', type: 'str' },
  { name: 'MOUNT_OPTIONS', type: 'str' },
  { name: 'FIELDS', type: 'str' },
  { name: 'FSTYPE', type: 'str' },
  { name: 'MOUNT_SRC', type: 'str' },
  { name: 'SB_OPTIONS', type: 'str' },
];
/** --mount-format: /proc/mounts' shape (device, path, type, options). */
const MOUNTS_COLUMNS: readonly Column[] = [
  { name: 'MNT_NS_ID', type: 'int' },
  { name: 'DEVNAME', type: 'str' },
  { name: 'PATH', type: 'str' },
  { name: 'FSTYPE', type: 'str' },
  { name: 'MNT_OPTS', type: 'str' },
];

export const mountinfo: PluginDefinition = {
  name: 'linux.mountinfo',
  description: 'Lists mount points of the initial mount namespace (like /proc/1/mountinfo).',
  os: 'linux',
  columns: (options: PluginOptions) => (options['mount-format'] ? MOUNTS_COLUMNS : MOUNTINFO_COLUMNS),
  options: [{ name: 'mount-format', type: 'bool', description: 'Show /proc/mounts-style rows (device, path, type, options)', default: false }],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.linux();
    const brief = ctx.options['mount-format'] === true;
    for await (const m of listMounts(kernel, (w) => ctx.warn(w))) {
      ctx.signal?.throwIfAborted();
      const values = brief
        ? [m.namespaceId, m.source, m.mountPoint, m.fsType, m.procMountsOptions.join(',')]
        : [m.namespaceId, m.id, m.parentId, m.device, m.root, m.mountPoint, m.mountOptions.join(','), m.fields.join(' '), m.fsType, m.source, m.superOptions.join(',')];
      yield { depth: 0, values };
    }
  },
};
