import type { TypeDescriptor } from '../../symbols/symbol-table.ts';

const struct = (name: string): TypeDescriptor => ({ kind: 'struct', name });
const base = (name: string): TypeDescriptor => ({ kind: 'base', name });
const pointer = (subtype: TypeDescriptor): TypeDescriptor => ({ kind: 'pointer', subtype });

/**
 * The C types of kernel globals that Volatility 3's Linux plugins read by symbol (`object_from_symbol`), which BTF does
 * not record (it describes only per-CPU variables) and kallsyms cannot: facts from the kernel sources (x86-64, 4.x–6.x),
 * kept as data. A type is written only where the table has it, so a kernel without one of these simply lacks it.
 */
export const KERNEL_GLOBAL_TYPES: ReadonlyMap<string, TypeDescriptor> = new Map(
  Object.entries({
    // init/init_task.c, kernel/fork.c, mm/init-mm.c, fs/file.c, kernel/pid.c, init/version.c, net/core/net_namespace.c
    init_task: struct('task_struct'),
    init_mm: struct('mm_struct'),
    init_files: struct('files_struct'),
    init_pid_ns: struct('pid_namespace'),
    init_uts_ns: struct('uts_namespace'),
    init_net: struct('net'),
    net_namespace_list: struct('list_head'),
    // kernel/module: the loaded modules' list and their sysfs kset
    modules: struct('list_head'),
    module_kset: pointer(struct('kset')),
    // net/socket.c: what identifies a socket's file and dentry
    socket_file_ops: struct('file_operations'),
    sockfs_dentry_operations: struct('dentry_operations'),
    // kernel/printk: the lockless ring buffer (5.10+) and the older log buffer
    prb: pointer(struct('printk_ringbuffer')),
    log_buf: pointer(base('char')),
    log_buf_len: base('unsigned int'),
    log_first_idx: base('unsigned int'),
    log_next_idx: base('unsigned int'),
    // kernel/capability.c, init/main.c, kernel/time/jiffies.c
    cap_last_cap: base('int'),
    saved_command_line: pointer(base('char')),
    jiffies: base('long unsigned int'),
    nr_threads: base('int'),
    // arch/x86/mm: where the direct map, vmalloc and the struct page array start under KASLR
    page_offset_base: base('long unsigned int'),
    vmalloc_base: base('long unsigned int'),
    vmemmap_base: base('long unsigned int'),
    mem_map: pointer(struct('page')),
    // drivers/tty, kernel/bpf, drivers/tty/vt/keyboard.c, arch/x86/kernel/idt.c
    tty_drivers: struct('list_head'),
    prog_idr: struct('idr'),
    keyboard_notifier_list: struct('atomic_notifier_head'),
    idt_table: { kind: 'array', count: 256, subtype: struct('gate_struct') },
    // the kernel text's bounds (vmlinux.lds: their type is immaterial, their address is what is read)
    _text: base('char'),
    _etext: base('char'),
  }),
);

/** The names a type descriptor depends on: the table must have each for the symbol to carry it. */
export function namedTypes(type: TypeDescriptor): { kind: 'struct' | 'base'; name: string }[] {
  switch (type.kind) {
    case 'pointer':
    case 'array':
      return namedTypes(type.subtype);
    case 'base':
      return [{ kind: 'base', name: type.name }];
    case 'struct':
    case 'union':
    case 'class':
      return [{ kind: 'struct', name: type.name }];
    default:
      return [];
  }
}
