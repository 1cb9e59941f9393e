/**
 * What a kernel build number stands for, as data: no symbol file says it. Feature updates delivered as enablement
 * packages run the same kernel (ntoskrnl 10.0.19041 serves 20H1 to 22H2, 22621 serves 22H2 and 23H2, 26100 24H2
 * and 25H2), so one kernel build names a range of releases. Windows 11 keeps NT version 10.0 and is told apart by
 * its build number; servers by KUSER_SHARED_DATA.NtProductType.
 */
interface KernelRelease {
  readonly build: number;
  /** The client release(s) running this kernel; null where only a server does (20348). */
  readonly client: string | null;
  /** The Windows Server release on this kernel, if any. */
  readonly server?: string;
}

const RELEASES: readonly KernelRelease[] = [
  { build: 10240, client: 'Windows 10 1507' },
  { build: 10586, client: 'Windows 10 1511' },
  { build: 14393, client: 'Windows 10 1607', server: 'Windows Server 2016' },
  { build: 15063, client: 'Windows 10 1703' },
  { build: 16299, client: 'Windows 10 1709' },
  { build: 17134, client: 'Windows 10 1803' },
  { build: 17763, client: 'Windows 10 1809', server: 'Windows Server 2019' },
  { build: 18362, client: 'Windows 10 1903–1909' },
  { build: 19041, client: 'Windows 10 2004–22H2' },
  // Where the build number an enablement package reports is read, it names the release exactly.
  { build: 19042, client: 'Windows 10 20H2' },
  { build: 19043, client: 'Windows 10 21H1' },
  { build: 19044, client: 'Windows 10 21H2' },
  { build: 19045, client: 'Windows 10 22H2' },
  { build: 20348, client: null, server: 'Windows Server 2022' },
  { build: 22000, client: 'Windows 11 21H2' },
  { build: 22621, client: 'Windows 11 22H2–23H2' },
  { build: 22631, client: 'Windows 11 23H2' },
  { build: 26100, client: 'Windows 11 24H2–25H2', server: 'Windows Server 2025' },
  { build: 26200, client: 'Windows 11 25H2' },
];

/** The first Windows 11 kernel build. */
const WINDOWS_11 = 22000;

/** _NT_PRODUCT_TYPE names of servers (domain controllers are LanManNt). */
const SERVER_PRODUCTS: ReadonlySet<string> = new Set(['NtProductLanManNt', 'NtProductServer']);

/**
 * "Windows 10 2004–22H2", "Windows Server 2019", or for a build not in the table the product line alone
 * ("Windows 11", "Windows 10", "Windows 6").
 */
export function windowsRelease(major: number, build: number, productType: string): string {
  const known = RELEASES.find((r) => r.build === build);
  const server = SERVER_PRODUCTS.has(productType);
  if (known && server && known.server) return known.server;
  if (known && !server && known.client) return known.client;
  if (server) return 'Windows Server';
  return major === 10 && build >= WINDOWS_11 ? 'Windows 11' : `Windows ${major}`;
}
