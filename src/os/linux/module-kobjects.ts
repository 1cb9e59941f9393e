import { hex } from '../../io/hex.ts';
import type { ModuleKobject } from '../../plugins/api/linux.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { LinuxKernel } from './linux-kernel.ts';
import { listEntries } from './list-walk.ts';

/** No system has more module kobjects (loaded modules and built-in ones with parameters). */
const MAX_KOBJECTS = 65536;
/** kobject names are short; a longer read is not a name. */
const MAX_NAME = 64;

/**
 * The kobjects of /sys/module (module_kset's list): one per loaded module — whose module_kobject.mod points at its
 * struct module — and one per built-in module with parameters (mod NULL). A module removed from the module list to
 * hide it usually stays here.
 */
export async function* moduleKobjects(kernel: LinuxKernel, warn: Warn): AsyncGenerator<ModuleKobject> {
  const layout = kernel.layout;
  const kset = await kernel.vm.readU64(kernel.symbolAddress('module_kset'));
  if (!kset) {
    warn({ code: 'UNREADABLE', message: 'module_kset (/sys/module) is not readable' });
    return;
  }
  const entryAt = BigInt(layout.offset('kobject', 'entry'));
  const kobjAt = BigInt(layout.offset('module_kobject', 'kobj'));
  const refsPath = layout.has('kobject', 'kref.refcount.refs.counter') ? 'kref.refcount.refs.counter' : 'kref.refcount.counter';
  const head = kset + BigInt(layout.offset('kset', 'list'));
  for await (const link of listEntries(kernel, head, '/sys/module kobjects (module_kset)', warn, MAX_KOBJECTS)) {
    const kobject = link - entryAt;
    const view = await kernel.readStruct('module_kobject', kobject - kobjAt);
    if (!view) {
      warn({ code: 'UNREADABLE', message: 'a module kobject is not readable', address: hex(kobject) });
      continue;
    }
    const name = await kernel.readCString(view.u64('kobj.name'), MAX_NAME);
    yield { kobject, module: view.u64('mod'), name: name ?? '', references: view.u32(`kobj.${refsPath}`) };
  }
}
