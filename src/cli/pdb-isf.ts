import { NodeFileSource } from '../node/node-file-source.ts';
import { loadPdb, pdbIsfText } from '../symbols/pdb/pdb-table.ts';
import type { CliCommand } from './args.ts';
import { MEMSCOPE_VERSION } from '../version.ts';

/** `memscope -f FILE.pdb pdb-isf`: the PDB's types and public symbols as a Volatility 3 ISF on stdout. */
export async function writePdbIsf(command: Extract<CliCommand, { kind: 'pdb-isf' }>): Promise<number> {
  const source = await NodeFileSource.open(command.file);
  try {
    process.stdout.write(pdbIsfText(await loadPdb(source), MEMSCOPE_VERSION));
    return 0;
  } finally {
    await source.close?.();
  }
}
