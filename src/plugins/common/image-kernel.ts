import type { LinuxKernelContext, PluginContext, WindowsKernelContext } from '../api.ts';

/** The image's kernel, whichever OS it is: for plugins that run on any image (yarascan). */
export type ImageKernel =
  { readonly os: 'windows'; readonly kernel: WindowsKernelContext } | { readonly os: 'linux'; readonly kernel: LinuxKernelContext };

/** Windows' kernel, else Linux's; OS_NOT_FOUND (from ctx.linux()) when the image has neither. */
export async function imageKernel(ctx: Pick<PluginContext, 'windows' | 'linux'>): Promise<ImageKernel> {
  try {
    return { os: 'windows', kernel: await ctx.windows() };
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'OS_NOT_FOUND') throw e;
  }
  return { os: 'linux', kernel: await ctx.linux() };
}
