import type { PluginDefinition, PluginRow, RegistryHive, RegistryKey, WindowsKernelContext } from '../api.ts';
import { hexPairs } from '../common/hex-pairs.ts';
import { findKey, selectedHives } from './registry-path.ts';

const USER_ASSIST = 'software\\microsoft\\windows\\currentversion\\explorer\\userassist';
/** A Windows 7+ entry: run count at 4, focus count at 8, focus time (ms) at 12, last run (FILETIME) at 60. */
const ENTRY_SIZE = 72;
const EPOCH_DIFF_SECONDS = 11_644_473_600n;

/** Known folders (KNOWNFOLDERID) that start UserAssist names, as Volatility 3 resolves them. */
const FOLDERS: Readonly<Record<string, string>> = {
  '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}': '%windir%\\system32',
  '{D65231B0-B2F1-4857-A4CE-A8E7C6EA7D27}': '%windir%\\system32',
  '{F38BF404-1D43-42F2-9305-67DE0B28FC23}': '%windir%',
  '{6D809377-6AF0-444b-8957-A3773F02200E}': '%ProgramFiles%',
  '{7C5A40EF-A0FB-4BFC-874A-C0F2E0B9FA8E}': '%ProgramFiles%',
  '{905e63b6-c1bf-494e-b29c-65b732d3d21a}': '%ProgramFiles%',
  '{F7F1ED05-9F6D-47A2-AAAE-29D317C6F066}': '%ProgramFiles%\\Common Files',
  '{0139D44E-6AFE-49F2-8690-3DAFCAE6FFB8}': '%ALLUSERSPROFILE%\\Microsoft\\Windows\\Start Menu\\Programs',
  '{A77F5D77-2E2B-44C3-A6A2-ABA601054A51}': '%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs',
  '{9E3995AB-1F9C-4F13-B827-48B24B6C7174}': '%APPDATA%\\Microsoft\\Internet Explorer\\Quick Launch\\User Pinned',
  '{374DE290-123F-4565-9164-39C4925E467B}': '%USERPROFILE%\\Downloads',
  '{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}': 'Desktop',
};

const rot13 = (s: string): string =>
  s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.charCodeAt(0) - (c <= 'Z' ? 65 : 97) + 13) % 26) + (c <= 'Z' ? 65 : 97)));

/** FILETIME → "2024-05-05T17:31:26+00:00" (whole seconds); null when zero. */
function filetime(value: bigint): string | null {
  const seconds = value / 10_000_000n;
  if (seconds === 0n) return null;
  return new Date(Number(seconds - EPOCH_DIFF_SECONDS) * 1000).toISOString().replace(/\.\d+Z$/, '+00:00');
}

/** Focus time (ms) as Python prints a timedelta of (ms + 500) / 1000 seconds: "0:01:24.456000". */
function focusTime(ms: number): string {
  if (ms + 500 <= 0) return String(ms);
  const micros = (ms + 500) * 1000;
  const seconds = Math.floor(micros / 1e6);
  const days = Math.floor(seconds / 86_400);
  const clock = `${Math.floor((seconds % 86_400) / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  const fraction = micros % 1e6 ? `.${String(micros % 1e6).padStart(6, '0')}` : '';
  return `${days ? `${days} day${days > 1 ? 's' : ''}, ` : ''}${clock}${fraction}`;
}

export const userassist: PluginDefinition = {
  name: 'windows.registry.userassist',
  description:
    "Lists the programs a user ran from Explorer (NTUSER.DAT's UserAssist): ROT13-decoded names, run and focus counts, focus time, last run.",
  version: '1.0.0',
  requirements: [{ kind: 'kernel', os: 'windows' }],
  columns: [
    { name: 'Hive Offset', type: 'hex', address: 'kernel' },
    { name: 'Hive Name', type: 'str' },
    { name: 'Path', type: 'str' },
    { name: 'Last Write Time', type: 'datetime' },
    { name: 'Type', type: 'str' },
    { name: 'Name', type: 'str' },
    { name: 'ID', type: 'int' },
    { name: 'Count', type: 'int' },
    { name: 'Focus Count', type: 'int' },
    { name: 'Time Focused', type: 'str' },
    { name: 'Last Updated', type: 'datetime' },
    { name: 'Raw Data', type: 'bytes' },
  ],
  options: [{ name: 'offset', type: 'int', description: 'Hive Offset' }],
  tree: true,
  async *run(ctx) {
    const kernel = await ctx.windows();
    const offset = ctx.options['offset'] as number | undefined;
    for await (const hive of selectedHives(kernel, offset, (message) => ctx.warn({ code: 'UNREADABLE', message }))) {
      ctx.signal?.throwIfAborted();
      if (offset === undefined && !(hive.name ?? '').toLowerCase().includes('ntuser.dat')) continue;
      const path = await findKey(kernel, hive, USER_ASSIST);
      if (!path) {
        yield { depth: 0, values: [hive.offset, hive.name, null, null, null, null, null, null, null, null, null, null] };
        continue;
      }
      yield* entries(kernel, hive, path);
    }
  },
};

/** Each GUID's Count key (depth 0), then its subkeys and decoded values (depth 1). */
async function* entries(kernel: WindowsKernelContext, hive: RegistryHive, path: readonly RegistryKey[]): AsyncGenerator<PluginRow> {
  const base = [(hive.name ?? '[NONAME]').split('\\').at(-1)!, ...path.slice(1).map((k) => k.name)].join('\\');
  for (const guid of await kernel.registrySubkeys(path.at(-1)!)) {
    for (const count of await kernel.registrySubkeys(guid)) {
      const countPath = `${base}\\${guid.name}\\${count.name}`;
      const head = [hive.offset, hive.name, countPath, count.lastWrite];
      yield { depth: 0, values: [...head, 'Key', null, null, null, null, null, null, null] };
      for (const sub of await kernel.registrySubkeys(count))
        yield { depth: 1, values: [...head, 'Subkey', sub.name, null, null, null, null, null, null] };
      for (const value of await kernel.registryValues(count)) {
        let name = rot13(value.name);
        const folder = FOLDERS[name.split('\\')[0]!];
        if (folder) name = folder + name.slice(name.indexOf('\\') === -1 ? name.length : name.indexOf('\\'));
        const data = value.data;
        if (!data || data.length < ENTRY_SIZE) {
          yield { depth: 1, values: [...head, 'Value', name, null, null, null, null, null, data && hexPairs(data)] };
          continue;
        }
        const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
        yield {
          depth: 1,
          values: [
            ...head,
            'Value',
            name,
            null,
            dv.getUint32(4, true),
            dv.getUint32(8, true),
            focusTime(dv.getUint32(12, true)),
            filetime(dv.getBigUint64(60, true)),
            hexPairs(data),
          ],
        };
      }
    }
  }
}
