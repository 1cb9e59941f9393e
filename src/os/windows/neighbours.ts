import type { ScanService } from '../../engine/scan-service.ts';
import type { WindowsNeighbour } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { ipv4, ipv6 } from '../inet-address.ts';
import { layoutForBuild } from './build-layout.ts';
import { IS_ROUTER, MAX_DL_ADDRESS, NEIGHBOUR_STATES, neighbourLayout, type NeighbourLayout } from './neighbour-layouts.ts';
import { carveNonPaged, type Carved } from './pool-carve.ts';
import { scanPoolBlocks, type ScanProgress } from './pool-scan.ts';
import { AF_INET, AF_INET6 } from './tcpip-layouts.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { WindowsNeighbour };

/** Highest interface index taken as plausible (NET_IFINDEX values are small). */
const MAX_INTERFACE_INDEX = 0xffffff;

interface Interface {
  readonly family: typeof AF_INET | typeof AF_INET6;
  readonly index: number;
}

/**
 * tcpip.sys's neighbour cache entries found by a pool-tag scan of physical memory, read in the layout of the build
 * (neighbour-layouts.ts: a working layout, see src/plugins/windows/arp.md) and validated: allocations that are no
 * neighbour are skipped with one counted warning per reason. When none is found, a warning says the layout is
 * unconfirmed.
 */
export async function* scanNeighbours(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<WindowsNeighbour> {
  const layout = await layoutForBuild(kernel, warn, 'tcpip neighbour', neighbourLayout);
  if (layout === null) return;
  const tag = Uint8Array.from(layout.tag, (c) => c.charCodeAt(0));
  const reader = new NeighbourReader(kernel, layout);
  let found = 0;
  for await (const block of scanPoolBlocks(kernel, scanner, warn, [tag], 'neighbour', control)) {
    const carved = await carveNonPaged(kernel, block, layout.size, layout.size);
    if (carved === null) continue;
    const neighbour = await reader.read(carved);
    if (typeof neighbour === 'string') {
      warn({ code: 'SMEAR', message: `'${layout.tag}' pool allocations that hold no valid neighbour skipped (${neighbour})` });
      continue;
    }
    found++;
    yield neighbour;
  }
  if (found === 0) {
    warn({
      code: 'UNSUPPORTED',
      message: `no tcpip neighbours found: they are read in a ${layout.name} with pool tag '${layout.tag}', not yet confirmed on real captures`,
    });
  }
}

class NeighbourReader {
  private readonly interfaces = new Map<bigint, Promise<Interface | null>>();

  constructor(
    private readonly kernel: WindowsKernel,
    private readonly layout: NeighbourLayout,
  ) {}

  /** The neighbour, or why the allocation holds none. */
  async read(c: Carved): Promise<WindowsNeighbour | string> {
    const l = this.layout;
    const state = NEIGHBOUR_STATES[c.dv.getUint32(l.state, true)];
    if (state === undefined) return 'no NL_NEIGHBOR_STATE';
    const macLength = c.dv.getUint16(l.dlAddressLength, true);
    if (macLength > MAX_DL_ADDRESS) return `a link-layer address over ${MAX_DL_ADDRESS} bytes`;
    const iface = await this.interfaceAt(c.dv.getBigUint64(l.interface, true));
    if (iface === null) return 'no readable interface of a known address family';
    const bytes = new Uint8Array(c.dv.buffer, c.dv.byteOffset, c.dv.byteLength);
    const address = bytes.subarray(l.address, l.address + (iface.family === AF_INET ? 4 : 16));
    return {
      offset: c.offset,
      physical: c.physical,
      family: iface.family === AF_INET ? 'IPv4' : 'IPv6',
      ip: iface.family === AF_INET ? ipv4(address) : ipv6(address),
      mac: Array.from(bytes.subarray(l.dlAddress, l.dlAddress + macLength), (b) => b.toString(16).padStart(2, '0')).join(':'),
      interfaceIndex: iface.index,
      state,
      router: (c.dv.getUint8(l.flags) & IS_ROUTER) !== 0,
    };
  }

  private interfaceAt(address: bigint): Promise<Interface | null> {
    let found = this.interfaces.get(address);
    if (!found) this.interfaces.set(address, (found = this.readInterface(address)));
    return found;
  }

  private async readInterface(address: bigint): Promise<Interface | null> {
    if (address === 0n) return null;
    const l = this.layout;
    const [family, index] = await Promise.all([
      this.kernel.vm.read(address + BigInt(l.interfaceFamily), 2),
      this.kernel.vm.readU32(address + BigInt(l.interfaceIndex)),
    ]);
    const af = family && family[0]! | (family[1]! << 8);
    if ((af !== AF_INET && af !== AF_INET6) || index === null || index === 0 || index > MAX_INTERFACE_INDEX) return null;
    return { family: af, index };
  }
}
