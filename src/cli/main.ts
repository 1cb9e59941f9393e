import { builtinPlugins } from '../plugins/registry.ts';
import { helpText, parseCli, type CliCommand } from './args.ts';
import { reportFailure } from './report-failure.ts';
import { runPlugin, writeLinuxIsf } from './run-plugin.ts';
import { MEMSCOPE_VERSION } from './version.ts';

/** Runs the command line and returns the exit status; whatever it throws, plugin runs included, is reported here. */
async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand | undefined;
  try {
    command = parseCli(argv, builtinPlugins);
    return await execute(command);
  } catch (e) {
    return reportFailure(e, command !== undefined && 'debug' in command && command.debug, process.stderr);
  }
}

async function execute(command: CliCommand): Promise<number> {
  switch (command.kind) {
    case 'help':
      process.stdout.write(helpText(builtinPlugins) + '\n');
      return 0;
    case 'version':
      process.stdout.write(`memscope ${MEMSCOPE_VERSION}\n`);
      return 0;
    case 'plugins':
      for (const p of builtinPlugins) process.stdout.write(`${p.name}\t${p.description}\n`);
      return 0;
    case 'run':
      return runPlugin(command);
    case 'linux-isf':
      return writeLinuxIsf(command);
  }
}

// A reader that stops early (`memscope ... | head`) closes the pipe: the output ends there, and that is no error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});
process.exitCode = await main(process.argv.slice(2));
