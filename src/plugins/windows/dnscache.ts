import type { PluginDefinition } from '../api.ts';
import { hexPairs } from '../common/hex-pairs.ts';
import { PID_OPTION, wantedPid } from '../common/pid-filter.ts';

export const dnscache: PluginDefinition = {
  name: 'windows.dnscache',
  description:
    "Lists the DNS Client's resolver cache (dnsrslvr.dll's hash table in its svchost.exe): each cached record's name, type, data and TTL. " +
    'Section is CNAME for a record owned by a name the cached name leads to through CNAME records, else the section the record came in (Answer, ...). ' +
    'Data of a type not decoded is its bytes in hex.',
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  domainColumn: 'Name',
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'Process', type: 'str' },
    { name: 'Name', type: 'str' },
    { name: 'Type', type: 'str' },
    { name: 'Data', type: 'str' },
    { name: 'TTL', type: 'int' },
    { name: 'Section', type: 'str' },
  ],
  options: [PID_OPTION],
  tree: false,
  async *run(ctx) {
    const kernel = await ctx.windows();
    for await (const r of kernel.dnsCache(ctx.options['pid'] === undefined ? undefined : wantedPid(ctx))) {
      yield { depth: 0, values: [r.process.pid, r.process.name, r.name, r.typeName, r.data ?? hexPairs(r.bytes), r.ttl, r.section] };
    }
  },
};
