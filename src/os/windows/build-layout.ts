import type { Warn } from '../../plugins/plugin.ts';
import { readSharedUserData } from './kuser-shared-data.ts';
import type { WindowsKernel } from './windows-kernel.ts';

/**
 * A structure layout kept as data per build range (tcpip's endpoints, services.exe's records, ...), for the image's
 * build (KUSER_SHARED_DATA.NtBuildNumber); null, with an UNSUPPORTED warning, when the build is unknown or `pick`
 * has no layout for it. `what` names the layout in the warning ("tcpip endpoint").
 */
export async function layoutForBuild<T>(kernel: WindowsKernel, warn: Warn, what: string, pick: (build: number) => T | null): Promise<T | null> {
  const build = (await readSharedUserData(kernel))?.ntBuildNumber ?? null;
  const layout = build === null ? null : pick(build);
  if (layout === null) {
    warn({
      code: 'UNSUPPORTED',
      message:
        build === null ? `the Windows build is unknown (KUSER_SHARED_DATA): no ${what} layout to read with` : `no ${what} layout for build ${build}`,
    });
  }
  return layout;
}
