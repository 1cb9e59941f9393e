import { isMemscopeError } from '../errors.ts';
import { builtinPlugins } from '../plugins/registry.ts';
import { helpText, parseCli } from './args.ts';
import { runPlugin, writeLinuxIsf } from './run-plugin.ts';
import { MEMSCOPE_VERSION } from './version.ts';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCli(argv, builtinPlugins);
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

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    const message = isMemscopeError(e) ? e.message : e instanceof Error ? `internal error: ${e.message}` : String(e);
    // One line: the first line of the message carries the reason; the rest (e.g. where symbols come from) follows on stderr.
    process.stderr.write(`memscope: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    if (!isMemscopeError(e) && e instanceof Error && process.env['MEMSCOPE_DEBUG']) process.stderr.write(`${e.stack}\n`);
    process.exitCode = isMemscopeError(e) && e.code === 'BAD_REQUEST' ? 2 : 1;
  },
);
