import { toCsv } from '../../src/render/csv.ts';
import { formatCell } from '../../src/render/format-cell.ts';
import { toVolJson, VolJsonWriter } from '../../src/render/vol-json.ts';
import type { Column } from '../../src/plugins/plugin.ts';
import { deepEqual, equal } from './assert.ts';
import { processColumns, pstreeRows, HOSTILE_NAME } from './fixtures.ts';

describe('formatCell', () => {
  it('shows values the way Volatility does', () => {
    equal(formatCell(0xffffad8b2e3c7080n, 'hex'), '0xffffad8b2e3c7080');
    equal(formatCell(4096, 'hex'), '0x1000');
    equal(formatCell(18446744073709551615n, 'int'), '18446744073709551615');
    equal(formatCell(null, 'hex'), 'N/A');
    equal(formatCell(true, 'bool'), 'True');
    equal(formatCell(false, 'bool'), 'False');
    equal(formatCell('2024-03-01T10:05:00+00:00', 'datetime'), '2024-03-01T10:05:00+00:00');
    equal(formatCell(HOSTILE_NAME, 'str'), HOSTILE_NAME);
  });
});

describe('toCsv', () => {
  const columns: Column[] = [
    { name: 'Name', type: 'str' },
    { name: 'Offset', type: 'hex' },
    { name: 'Delta', type: 'int' },
  ];

  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    const csv = toCsv(columns, [
      { depth: 0, values: ['a,b', 255n, -5] },
      { depth: 1, values: ['say "hi"', null, 0] },
      { depth: 0, values: ['two\nlines', 1, 1] },
      { depth: 0, values: ['=HYPERLINK("x")', 2, 2] },
    ]);
    equal(
      csv,
      'TreeDepth,Name,Offset,Delta\r\n' +
        '0,"a,b",0xff,-5\r\n' +
        '1,"say ""hi""",N/A,0\r\n' +
        '0,"two\nlines",0x1,1\r\n' +
        `0,"'=HYPERLINK(""x"")",0x2,2\r\n`,
    );
  });
});

describe('toVolJson', () => {
  it('nests tree rows in __children and writes 64-bit integers exactly', () => {
    const text = toVolJson(processColumns, pstreeRows);
    // 0xffffad8b2e3c7080 and 2^64 - 1 in decimal (computed outside JavaScript).
    equal(text.includes('"Offset(V)": 18446653412020613248,'), true, 'System offset exact');
    equal(text.includes('"Offset(V)": 18446744073709551615,'), true, 'Idle offset exact');
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    const shape = (nodes: Record<string, unknown>[]): unknown =>
      nodes.map((n) => ({ name: n['ImageFileName'], children: shape(n['__children'] as Record<string, unknown>[]) }));
    deepEqual(shape(parsed), [
      { name: 'System', children: [{ name: 'Registry', children: [{ name: HOSTILE_NAME, children: [] }] }] },
      { name: 'Idle', children: [] },
    ]);
    deepEqual(Object.keys(parsed[0]!), ['CreateTime', 'ImageFileName', 'Offset(V)', 'PID', 'PPID', 'Wow64', '__children']);
    equal(parsed[0]!['CreateTime'], null);
    equal(parsed[0]!['Wow64'], false);
  });

  it("matches the text of Python's json.dumps(indent=2, sort_keys=True)", () => {
    const columns: Column[] = [
      { name: 'b', type: 'str' },
      { name: 'A', type: 'int' },
    ];
    const text = toVolJson(columns, [
      { depth: 0, values: ['é\u0001', 1] },
      { depth: 1, values: ['x', 2] },
    ]);
    equal(
      text,
      '[\n  {\n    "A": 1,\n    "__children": [\n      {\n        "A": 2,\n        "__children": [],\n        "b": "x"\n      }\n    ],\n' +
        '    "b": "\\u00e9\\u0001"\n  }\n]\n',
    );
    equal(toVolJson(columns, []), '[]\n');
  });

  it('streams each top-level tree once the next one starts', () => {
    const writer = new VolJsonWriter([{ name: 'n', type: 'int' }]);
    equal(writer.push({ depth: 0, values: [1] }), '');
    equal(writer.push({ depth: 1, values: [2] }), '');
    const first = writer.push({ depth: 0, values: [3] });
    equal(first.startsWith('[\n  {\n    "__children": [\n'), true);
    equal(writer.end().startsWith(',\n  {\n    "__children": [],\n    "n": 3\n  }\n]'), true);
  });

  it('keeps rows whose depth skips levels, one level below the previous row', () => {
    const parsed = JSON.parse(
      toVolJson(
        [{ name: 'n', type: 'int' }],
        [
          { depth: 0, values: [1] },
          { depth: 3, values: [2] },
        ],
      ),
    ) as { n: number; __children: { n: number }[] }[];
    equal(parsed.length, 1);
    equal(parsed[0]!.__children[0]!.n, 2);
  });
});
