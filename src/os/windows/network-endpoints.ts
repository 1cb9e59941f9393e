import type { ScanService } from '../../engine/scan-service.ts';
import type { NetworkEndpoint } from '../../plugins/api/windows.ts';
import type { Warn } from '../../plugins/plugin.ts';
import { layoutForBuild } from './build-layout.ts';
import { EndpointReader, extent, INVALID_BECAUSE, KIND_NAMES, kindFields, type EndpointKind } from './endpoint-reader.ts';
import { carveNonPaged } from './pool-carve.ts';
import { scanPoolBlocks, type ScanProgress } from './pool-scan.ts';
import { tcpipLayout } from './tcpip-layouts.ts';
import type { WindowsKernel } from './windows-kernel.ts';

export type { NetworkEndpoint };

/** Pool-tag scan for tcpip.sys's endpoints (see tcpip-layouts.ts), each allocation carved and checked as Volatility 3 does. */
export async function* scanNetworkEndpoints(
  kernel: WindowsKernel,
  scanner: ScanService,
  warn: Warn,
  control: ScanProgress = {},
): AsyncGenerator<NetworkEndpoint> {
  const layout = await layoutForBuild(kernel, warn, 'tcpip endpoint', tcpipLayout);
  if (layout === null) return;
  const kinds: EndpointKind[] = ['listener', ...layout.endpointTags.map((): EndpointKind => 'endpoint'), 'udp'];
  const tags = ['TcpL', ...layout.endpointTags, 'UdpA'];
  const reader = new EndpointReader(kernel, layout);
  const blocks = scanPoolBlocks(
    kernel,
    scanner,
    warn,
    tags.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0))),
    'network endpoint',
    control,
  );
  for await (const block of blocks) {
    const kind = kinds[block.tag]!;
    const fields = kindFields(layout, kind);
    // The structure after the pool header, if the header is Volatility's kind: non-paged or free, at least its size.
    const carved = await carveNonPaged(kernel, block, fields.size, extent(fields));
    if (carved === null) continue;
    const rows = await reader.rows(carved, kind);
    if (rows === null) {
      warn({
        code: 'SMEAR',
        message: `'${tags[block.tag]}' pool allocations that hold no valid ${KIND_NAMES[kind]} skipped (${INVALID_BECAUSE[kind]})`,
      });
      continue;
    }
    yield* rows;
  }
}
