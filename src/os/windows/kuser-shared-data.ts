import type { SharedUserData } from '../../plugins/api/windows.ts';
import { KUSER_SHARED_DATA } from './dtb-locator.ts';
import { filetimeToIso } from './filetime.ts';
import type { WindowsKernel } from './windows-kernel.ts';
import { windowsRelease } from './windows-releases.ts';

export type { SharedUserData };

/** Version, product type, system root and clock from KUSER_SHARED_DATA (mapped in every address space). */
export async function readSharedUserData(kernel: WindowsKernel): Promise<SharedUserData | null> {
  const v = await kernel.readStruct('_KUSER_SHARED_DATA', KUSER_SHARED_DATA);
  if (!v) return null;
  const productType = v.u32('NtProductType');
  const productNames = kernel.symbols.enumeration('_NT_PRODUCT_TYPE')?.constants;
  const productName = [...(productNames ?? [])].find(([, value]) => value === productType)?.[0] ?? String(productType);
  const time = (BigInt(v.u32('SystemTime.High1Time')) << 32n) | BigInt(v.u32('SystemTime.LowPart'));
  const root = v.raw('NtSystemRoot');
  const rootText = new TextDecoder('utf-16le').decode(root);
  return {
    ntMajorVersion: v.u32('NtMajorVersion'),
    ntMinorVersion: v.u32('NtMinorVersion'),
    ntBuildNumber: v.has('NtBuildNumber') ? v.u32('NtBuildNumber') & 0xffff : null,
    ntProductType: productName,
    ntSystemRoot: rootText.slice(0, Math.max(0, rootText.indexOf('\0'))) || rootText,
    systemTime: filetimeToIso(time),
  };
}

/** "Windows 10 2004–22H2 (10.0.19041)", "Windows Server 2019 (10.0.17763)" */
export function windowsVersionLabel(d: SharedUserData): string {
  const build = d.ntBuildNumber ?? 0;
  return `${windowsRelease(d.ntMajorVersion, build, d.ntProductType)} (${d.ntMajorVersion}.${d.ntMinorVersion}.${build})`;
}
