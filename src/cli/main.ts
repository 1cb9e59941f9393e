import { pluginInfo } from '../engine/plugin-info.ts';
import { builtinPlugins } from '../plugins/registry.ts';
import type { PluginDefinition } from '../plugins/plugin-definition.ts';
import { helpText, parseCli, thirdPartyArgs, type CliCommand } from './args.ts';
import { announceRun, isHosted, runHosted, startBeating } from './plugin-host.ts';
import { exportImage } from './image-export.ts';
import { writePdbIsf } from './pdb-isf.ts';
import { loadPluginDirs } from './plugin-dirs.ts';
import { reportFailure } from './report-failure.ts';
import { runPlugin, writeLinuxIsf, writeWindowsIsf } from './run-plugin.ts';
import { MEMSCOPE_VERSION } from '../version.ts';

/** Runs the command line and returns the exit status; whatever it throws, plugin runs included, is reported here. */
async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand | undefined;
  try {
    const { dirs, timeoutMs } = thirdPartyArgs(argv);
    // Third-party plugins load and run on a worker thread this one watches (plugin-host.ts).
    if (dirs.length > 0 && !isHosted()) return await runHosted(new URL(import.meta.url), argv, timeoutMs);
    const loaded = await loadPluginDirs(dirs, builtinPlugins);
    for (const problem of loaded.problems) process.stderr.write(`memscope: warning: ${problem}\n`);
    const plugins = [...builtinPlugins, ...loaded.plugins];
    command = parseCli(argv, plugins);
    return await execute(command, plugins);
  } catch (e) {
    return reportFailure(e, command !== undefined && 'debug' in command && command.debug, process.stderr);
  }
}

async function execute(command: CliCommand, plugins: readonly PluginDefinition[]): Promise<number> {
  switch (command.kind) {
    case 'help':
      process.stdout.write(helpText(plugins) + '\n');
      return 0;
    case 'version':
      process.stdout.write(`memscope ${MEMSCOPE_VERSION}\n`);
      return 0;
    case 'plugins':
      if (command.json) process.stdout.write(`${JSON.stringify(plugins.map(pluginInfo), null, 2)}\n`);
      else
        for (const p of plugins)
          process.stdout.write(`${[p.name, p.version, p.description, ...(p.origin ? [`third-party: ${p.origin}`] : [])].join('\t')}\n`);
      return 0;
    case 'run':
      if (command.plugin.origin !== undefined) announceRun(`${command.plugin.name} (${command.plugin.origin})`);
      return runPlugin(command);
    case 'linux-isf':
      return writeLinuxIsf(command);
    case 'windows-isf':
      return writeWindowsIsf(command);
    case 'pdb-isf':
      return writePdbIsf(command);
    case 'image-export':
      return exportImage(command);
  }
}

// A reader that stops early (`memscope ... | head`) closes the pipe: the output ends there, and that is no error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
if (isHosted()) startBeating();
process.exitCode = await main(process.argv.slice(2));
