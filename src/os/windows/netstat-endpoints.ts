import type { NetworkEndpoint } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import type { SymbolStore } from '../../symbols/symbol-store.ts';
import { hex } from '../../io/hex.ts';
import { layoutForBuild } from './build-layout.ts';
import { EndpointReader, extent, INVALID_BECAUSE, KIND_NAMES, kindFields } from './endpoint-reader.ts';
import { tcpipTableObjects } from './network-tables.ts';
import { tcpipLayout } from './tcpip-layouts.ts';
import { loadTcpipModule } from './tcpip-module.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/**
 * The endpoints tcpip.sys keeps in its own tables (network-tables.ts), read with its symbols (tcpip-module.ts) and the
 * build's layouts, checked as Volatility 3's netstat checks them: an unreadable or invalid object is skipped with one
 * counted warning per kind.
 */
export async function* tcpipTableEndpoints(kernel: WindowsKernel, store: SymbolStore, warn: Warn): AsyncGenerator<NetworkEndpoint> {
  const layout = await layoutForBuild(kernel, warn, 'tcpip endpoint', tcpipLayout);
  if (layout === null) return;
  const tcpip = await loadTcpipModule(kernel, store, warn);
  const reader = new EndpointReader(kernel, layout);
  for await (const { kind, address } of tcpipTableObjects(kernel, tcpip, layout.tables, warn)) {
    const span = extent(kindFields(layout, kind));
    const [bytes, physical] = await Promise.all([kernel.vm.read(address, span), kernel.vm.translate(address)]);
    if (bytes === null || physical === null) {
      warn({ code: 'UNREADABLE', message: `${KIND_NAMES[kind]}s of tcpip's tables that are not readable skipped`, address: hex(address) });
      continue;
    }
    const rows = await reader.rows({ dv: new DataView(bytes.buffer, bytes.byteOffset, span), offset: address, physical }, kind);
    if (rows === null) {
      warn({
        code: 'SMEAR',
        message: `${KIND_NAMES[kind]}s of tcpip's tables that are not valid skipped (${INVALID_BECAUSE[kind]})`,
        address: hex(address),
      });
      continue;
    }
    yield* rows;
  }
}
