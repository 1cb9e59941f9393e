import type { ImagePluginInfo, ImageSummary } from '../../src/engine/engine-api.ts';
import type { Column, PluginRow } from '../../src/plugins/plugin.ts';

/** A hostile process name: must show as text, never become an element. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

export const summary: ImageSummary = {
  fileName: 'win10.raw',
  fingerprint: '1000000-0123456789abcdef',
  format: 'raw',
  formatDescription: 'raw physical memory (file offset = physical address)',
  fileSize: 16 * 1024 * 1024,
  physicalSize: 16 * 1024 * 1024,
  capturedBytes: 15 * 1024 * 1024,
  os: 'windows',
  osVersion: 'Windows 10 2004–22H2 (10.0.19041)',
  dtb: '0x1aa000',
  kernelBase: '0xfffff80600000000',
  symbols: 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1',
  symbolKey: 'ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1',
  warnings: ['physical memory ends before 0x1000000'],
};

export const processColumns: Column[] = [
  { name: 'PID', type: 'int' },
  { name: 'PPID', type: 'int' },
  { name: 'ImageFileName', type: 'str' },
  { name: 'Offset(V)', type: 'hex', address: 'kernel' },
  { name: 'Wow64', type: 'bool' },
  { name: 'CreateTime', type: 'datetime' },
];

const row = (depth: number, ...values: PluginRow['values']): PluginRow => ({ depth, values });

export const pslistRows: PluginRow[] = [
  row(0, 4, 0, 'System', 0xffffad8b2e3c7080n, false, null),
  row(0, 92, 4, 'Registry', 0xffffad8b2e1f4300n, false, '2024-03-01T10:00:01+00:00'),
  row(0, 1337, 92, HOSTILE_NAME, 0xffffad8b2f0a5080n, true, '2024-03-01T10:05:00+00:00'),
];

export const pstreeRows: PluginRow[] = [
  row(0, 4, 0, 'System', 0xffffad8b2e3c7080n, false, null),
  row(1, 92, 4, 'Registry', 0xffffad8b2e1f4300n, false, '2024-03-01T10:00:01+00:00'),
  row(2, 1337, 92, HOSTILE_NAME, 0xffffad8b2f0a5080n, true, '2024-03-01T10:05:00+00:00'),
  row(0, 8, 0, 'Idle', 0xffffffffffffffffn, false, null),
];

export const plugins: ImagePluginInfo[] = [
  {
    name: 'windows.pslist',
    description: 'Lists the processes.',
    os: 'windows',
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    unmet: [],
    columns: processColumns,
    tree: false,
    options: [
      { name: 'pid', type: 'int', multiple: true, description: 'Only these process IDs' },
      { name: 'physical', type: 'bool', description: 'Show physical offsets', default: false },
    ],
  },
  {
    name: 'windows.pstree',
    description: 'Processes as a tree.',
    os: 'windows',
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    unmet: [],
    columns: processColumns,
    tree: true,
    options: [],
  },
  {
    name: 'windows.psscan',
    description: 'Scans for process objects.',
    os: 'windows',
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'windows' }],
    unmet: [],
    columns: processColumns,
    tree: false,
    options: [],
  },
  {
    name: 'linux.pslist',
    description: 'Linux processes.',
    os: 'linux',
    version: '1.0.0',
    requirements: [{ kind: 'kernel', os: 'linux' }],
    unmet: [],
    columns: processColumns,
    tree: false,
    options: [],
  },
];
