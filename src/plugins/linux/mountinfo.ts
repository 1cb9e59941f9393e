import type { Cell, Column, LinuxKernelContext, MountInfo, MountNamespace, PluginContext, PluginDefinition, PluginOptions } from '../api.ts';
import { PID_OPTION } from '../common/pid-filter.ts';
import { listedTasks } from './task-rows.ts';

/** /proc/<pid>/mountinfo's fields, as Volatility 3 names them. */
const MOUNTINFO_COLUMNS: readonly Column[] = [
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
/** --mount-format: /proc/mounts' fields (device, path, type, options). */
const MOUNTS_COLUMNS: readonly Column[] = [
  { name: 'DEVNAME', type: 'str' },
  { name: 'PATH', type: 'str' },
  { name: 'FSTYPE', type: 'str' },
  { name: 'MNT_OPTS', type: 'str' },
];

function columns(options: PluginOptions): readonly Column[] {
  return [
    { name: 'MNT_NS_ID', type: 'int' },
    ...(options['pid'] !== undefined ? [{ name: 'PID', type: 'int' } as const] : []),
    ...(options['mount-format'] ? MOUNTS_COLUMNS : MOUNTINFO_COLUMNS),
  ];
}

function cells(m: MountInfo, brief: boolean): Cell[] {
  return brief
    ? [m.source, m.mountPoint, m.fsType, m.procMountsOptions.join(',')]
    : [m.id, m.parentId, m.device, m.root, m.mountPoint, m.mountOptions.join(','), m.fields.join(' '), m.fsType, m.source, m.superOptions.join(',')];
}

/** Every mount namespace once, or with --pid the namespace of each process given (rows carry its PID). */
async function* namespaces(ctx: PluginContext, linux: LinuxKernelContext): AsyncGenerator<{ ns: MountNamespace; pid: number | null }> {
  if (ctx.options['pid'] === undefined) {
    for await (const ns of linux.mountNamespaces()) yield { ns, pid: null };
    return;
  }
  for await (const task of listedTasks(ctx, linux)) {
    const ns = await linux.taskMountNamespace(task);
    if (ns) yield { ns, pid: task.pid };
    else
      ctx.warn({
        code: 'UNREADABLE',
        message: `PID ${task.pid} (${task.comm}) has no readable mount namespace (exited?)`,
        address: `0x${task.address.toString(16)}`,
      });
  }
}

export const mountinfo: PluginDefinition = {
  name: 'linux.mountinfo',
  description: 'Lists mount points of every mount namespace (like /proc/<pid>/mountinfo), or of the processes given with --pid.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'linux' }],
  columns,
  options: [
    PID_OPTION,
    { name: 'mntns', type: 'int', description: 'Only the mount namespace with this inode number' },
    { name: 'mount-format', type: 'bool', description: 'Show /proc/mounts-style rows (device, path, type, options)', default: false },
  ],
  tree: false,
  async *run(ctx) {
    const linux = await ctx.linux();
    const brief = ctx.options['mount-format'] === true;
    const wantedNs = ctx.options['mntns'] !== undefined ? Number(ctx.options['mntns']) : null;
    for await (const { ns, pid } of namespaces(ctx, linux)) {
      if (wantedNs !== null && ns.id === null)
        ctx.warn({ code: 'UNSUPPORTED', message: 'this kernel has no mount namespace inode numbers: --mntns matches nothing' });
      if (wantedNs !== null && ns.id !== wantedNs) continue;
      for await (const m of linux.mounts(ns)) {
        ctx.signal?.throwIfAborted();
        yield { depth: 0, values: [ns.id, ...(pid === null ? [] : [pid]), ...cells(m, brief)] };
      }
    }
  },
};
