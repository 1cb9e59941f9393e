/** The generator's network rows as windows.netscan / windows.netstat give them, and an order to compare them in. */
import type { ExpectedNetworkRow } from '../fixtures/windows/expected.ts';
import { toVolatilityTime } from './windows-session.ts';
import { ADDRESS_BITS, volatilityValues, type VolatilityOnImage } from './windows-volatility.ts';

export const NETWORK_COLUMNS = [
  'Offset',
  'Proto',
  'LocalAddr',
  'LocalPort',
  'ForeignAddr',
  'ForeignPort',
  'State',
  'PID',
  'Owner',
  'Created',
] as const;

export const networkRow = (e: ExpectedNetworkRow): unknown[] => [
  BigInt(e.offset),
  e.proto,
  e.localAddr,
  e.localPort,
  e.foreignAddr,
  e.foreignPort,
  e.state,
  e.pid,
  e.owner,
  toVolatilityTime(e.created),
];

/** By offset, then protocol (a dual-stack socket's v4 row before its v6 one): scan and walk orders differ. */
export const sortedRows = (rows: unknown[][]): unknown[][] =>
  [...rows].sort((a, b) => (a[0] === b[0] ? String(a[1]).localeCompare(String(b[1])) : (a[0] as bigint) < (b[0] as bigint) ? -1 : 1));

export const rowValues = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

/** Volatility's rows of `plugin` and the generator's `want`, both in compare order, offsets in Volatility's 48 bits. */
export function volatilityAndExpected(result: VolatilityOnImage, plugin: string, want: readonly ExpectedNetworkRow[]): [unknown[][], unknown[][]] {
  const got = result.rows.get(plugin)!.map((r) => volatilityValues(r, NETWORK_COLUMNS));
  return [sortedRows(got), sortedRows(want.map(networkRow).map(([offset, ...rest]) => [(offset as bigint) & ADDRESS_BITS, ...rest]))];
}
