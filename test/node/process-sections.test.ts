/**
 * The process view's sections: which of the image's plugins fill them (runnable, own, able to tell one process's
 * rows), with --pid where the plugin takes it and by the PID column otherwise; and which process a result row names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImagePluginInfo } from '../../src/engine/engine-api.ts';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';
import { processOfRow, processRows, processSections, sectionOptions } from '../../src/ui/process-sections.ts';
import { PID_OPTION } from '../../src/plugins/common/pid-filter.ts';

const PID: Column = { name: 'PID', type: 'int' };
const plugin = (name: string, over: Partial<ImagePluginInfo> = {}): ImagePluginInfo => ({
  name,
  version: '1.0.0',
  description: '',
  os: 'windows',
  requirements: [],
  columns: [PID, { name: 'ImageFileName', type: 'str' }],
  options: [PID_OPTION],
  tree: false,
  unmet: [],
  ...over,
});

describe('process view sections', () => {
  it('in the view’s order; only runnable, own plugins that take --pid or have a PID column', () => {
    const sections = processSections([
      plugin('windows.dlllist'),
      plugin('windows.pslist'),
      plugin('windows.netscan', { options: [] }),
      plugin('windows.handles', { unmet: ['needs the kernel symbol table'] }),
      plugin('windows.cmdline', { origin: 'third-party.mjs' }),
      plugin('windows.malfind', { options: [], columns: [{ name: 'Offset', type: 'hex' }] }),
      plugin('windows.bigpools'),
    ]);
    assert.deepEqual(
      sections.map((s) => [s.plugin, s.byOption]),
      [
        ['windows.pslist', true],
        ['windows.dlllist', true],
        ['windows.netscan', false],
      ],
    );
    assert.deepEqual(sectionOptions(sections[0]!, 4), { pid: [4] });
    assert.deepEqual(sectionOptions(sections[2]!, 4), {});
  });

  it('narrows a plugin run without --pid to the process’s rows by its PID column', () => {
    const [netscan] = processSections([plugin('windows.netscan', { options: [] })]);
    const columns: Column[] = [{ name: 'Proto', type: 'str' }, PID];
    const rows: PluginRow[] = [
      { depth: 0, values: ['TCPv4', 4] },
      { depth: 0, values: ['UDPv4', 880] },
      { depth: 0, values: ['TCPv6', 880] },
    ];
    assert.deepEqual(
      processRows(netscan!, columns, rows, 880).map((r) => r.values[0]),
      ['UDPv4', 'TCPv6'],
    );
  });

  it('a row names a process by an integer PID column, with its name where the row has one', () => {
    const columns: Column[] = [{ name: 'Offset(V)', type: 'hex' }, PID, { name: 'ImageFileName', type: 'str' }];
    assert.deepEqual(processOfRow(columns, { depth: 0, values: [1n, 880, 'svchost.exe'] }), { pid: 880, name: 'svchost.exe' });
    assert.deepEqual(processOfRow([PID], { depth: 0, values: [4] }), { pid: 4, name: null });
    assert.equal(processOfRow(columns, { depth: 0, values: [1n, null, 'x'] }), null, 'N/A');
    assert.equal(processOfRow([{ name: 'Pid', type: 'str' }], { depth: 0, values: ['4'] }), null, 'not an integer column');
  });
});
