import type { OutputFile, PluginContext } from '../api.ts';

/** A File Output cell when the host keeps no files (PluginContext.output absent): the plugin writes nothing. */
export const NO_HOST_FILES = 'Disabled (this host writes no files)';

/**
 * The file named `name` where the host keeps files, or, where it keeps none, the text the File Output column says
 * instead.
 */
export async function outputFile(ctx: Pick<PluginContext, 'output'>, name: string): Promise<OutputFile | typeof NO_HOST_FILES> {
  return ctx.output ? await ctx.output(name) : NO_HOST_FILES;
}
