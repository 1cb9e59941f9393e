/**
 * Where tcpip.sys (x64) keeps its neighbour cache entries (ARP and IPv6 Neighbor Discovery), per build range: the
 * WORKING layout of src/plugins/windows/arp.md — not confirmed on a real capture (the tcpip.pdb symbol files have no
 * types and no tool documents these structures); kept as data so a confirmed layout replaces numbers, not code.
 * test/fixtures/windows/neighbour-layouts.ts mirrors it for the image generator.
 *
 * Each neighbour is a non-paged pool allocation (tag below) whose structure starts after the 16-byte _POOL_HEADER:
 * Interface → its interface (Family u16, Index u32, Luid u64), State (NL_NEIGHBOR_STATE u32), Flags (u8: IsRouter
 * 0x1, IsUnreachable 0x2), DlAddressLength (u16) and DlAddress (32 bytes), then the IP address (4 or 16 bytes,
 * network order, the interface's family says which).
 */

export interface NeighbourLayout {
  /** Names the layout in warnings. */
  readonly name: string;
  readonly tag: string;
  /** Bytes of an entry (to the end of an IPv6 address): the least allocation accepted. */
  readonly size: number;
  readonly interface: number;
  readonly state: number;
  readonly flags: number;
  readonly dlAddressLength: number;
  readonly dlAddress: number;
  readonly address: number;
  readonly interfaceFamily: number;
  readonly interfaceIndex: number;
}

/** IF_MAX_PHYS_ADDRESS_LENGTH. */
export const MAX_DL_ADDRESS = 32;
export const IS_ROUTER = 0x1;

/** NL_NEIGHBOR_STATE (nldef.h), as Get-NetNeighbor names the values. */
export const NEIGHBOUR_STATES: readonly string[] = ['Unreachable', 'Incomplete', 'Probe', 'Delay', 'Stale', 'Reachable', 'Permanent'];

const WORKING: NeighbourLayout = {
  name: 'working layout (unconfirmed)',
  tag: 'Ipnb',
  size: 0x60,
  interface: 0x10,
  state: 0x24,
  flags: 0x28,
  dlAddressLength: 0x2a,
  dlAddress: 0x30,
  address: 0x50,
  interfaceFamily: 0x18,
  interfaceIndex: 0x20,
};

/** By first build, ascending; a build uses the last entry at or below it. */
const LAYOUTS: readonly (readonly [number, NeighbourLayout])[] = [[17763, WORKING]];

/** The layout for a build; null before 17763. */
export function neighbourLayout(build: number): NeighbourLayout | null {
  let found: NeighbourLayout | null = null;
  for (const [first, layout] of LAYOUTS) if (build >= first) found = layout;
  return found;
}
