import { isMemscopeError } from '../../errors.ts';
import { hex } from '../../io/hex.ts';
import { linuxIdentity, symbolKey } from '../../symbols/symbol-table.ts';
import type { OsProfile } from '../os-profile.ts';
import { confirmLinux, discoverLinux, discoverLinuxFromNotes, linuxKernelLayer, vmcoreinfoOf, type LinuxDiscovery } from './discovery.ts';
import { degradedWarning } from './degraded-symbols.ts';
import { loadKernelSymbolTable } from './kernel-symbols.ts';
import { nanosToIso } from '../unix-time.ts';
import { bootTimeNs } from './boot-time.ts';
import { LinuxRunContext } from './linux-context.ts';
import { LinuxKernel } from './linux-kernel.ts';
import { userAddressSpace } from './process-memory.ts';

/**
 * Linux x86-64: recognised at once by VMCOREINFO in the container's notes, else by VMCOREINFO found in memory;
 * symbols from a Volatility 3 ISF for its banner when the store has one, else the kernel's own BTF + kallsyms.
 */
export const linuxProfile: OsProfile<'linux', LinuxDiscovery, LinuxDiscovery, LinuxKernel, LinuxRunContext> = {
  id: 'linux',
  name: 'Linux',
  cacheVersion: 1,

  fromContainer: (env) => discoverLinuxFromNotes(env.physical, env.wasm),

  discover: (env) => discoverLinux(env.physical, env.wasm, env.scanner, env.signal),

  async confirm(env, discovery) {
    return (await confirmLinux(env.physical, env.wasm, discovery)) ? discovery : null;
  },

  async loadKernel(env, d) {
    const isf = await env.symbols.get(symbolKey(linuxIdentity(d.banner)));
    const table = isf ?? (await loadKernelSymbolTable(linuxKernelLayer(env.physical, env.wasm, d.dtb), d, env.discoveryCache, env.signal));
    // An ISF's addresses are link-time ones: this boot's KASLR slide moves them.
    const kernel = new LinuxKernel(env.physical, env.wasm, d, table, isf ? BigInt(d.kaslrOffset) : 0n);
    kernel.bootTimeNs = await bootTimeNs(kernel).catch((e: unknown) => {
      if (isMemscopeError(e) && e.code !== 'CANCELLED') return null; // an unreadable timekeeper costs the boot time only
      throw e;
    });
    return { kernel, warnings: kernel.degraded ? [degradedWarning(kernel.degraded)] : [] };
  },

  summary(d, load) {
    return {
      osVersion: `Linux ${d.release}`,
      dtb: hex(d.dtb),
      kernelBase: hex(vmcoreinfoOf(d).symbol('_stext') ?? 0n),
      symbols: load.kernel ? load.kernel.symbols.origin : 'missing',
      symbolKey: symbolKey(linuxIdentity(d.banner)),
      bootTime: load.kernel?.bootTimeNs == null ? undefined : (nanosToIso(load.kernel.bootTimeNs) ?? undefined),
      missingSymbols:
        load.kernel === null && load.error.code === 'SYMBOLS_MISSING'
          ? { kind: 'linux', release: d.release, banner: d.banner, reason: load.error.message }
          : undefined,
      warnings: load.kernel ? [...(load.warnings ?? [])] : [load.error.message],
    };
  },

  runContext: (kernel, run) => new LinuxRunContext(kernel, run),

  processSpace: userAddressSpace,
};
