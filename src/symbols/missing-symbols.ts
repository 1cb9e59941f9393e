import { MemscopeError } from '../errors.ts';
import type { PdbIdentity } from './symbol-table.ts';

export const VOLATILITY_WINDOWS_PACK = 'https://downloads.volatilityfoundation.org/volatility3/symbols/windows.zip';
export const JPCERT_SYMBOL_TABLES = 'https://github.com/JPCERTCC/Windows-Symbol-Tables';

/** SYMBOLS_MISSING for a PDB; `missing` lets the engine tell the UI exactly which file to ask for. */
export class MissingSymbolsError extends MemscopeError {
  constructor(
    readonly missing: PdbIdentity,
    searched: string,
  ) {
    super('SYMBOLS_MISSING', missingSymbolsMessage(missing, searched));
  }
}

/** Says which PDB is needed, where ISF packs come from, and where the file goes. `searched` = store description. */
function missingSymbolsMessage(pdb: PdbIdentity, searched: string): string {
  const file = `${pdb.guid}-${pdb.age}.json.xz`;
  const msGuidAge = `${pdb.guid}${pdb.age.toString(16).toUpperCase()}`;
  return [
    `Symbols needed: ${pdb.pdbName} GUID ${pdb.guid} age ${pdb.age}; not found in ${searched}.`,
    `Get ${pdb.pdbName}/${file} from the Volatility 3 Windows symbol pack (${VOLATILITY_WINDOWS_PACK}), ` +
      `from JPCERT/CC's Windows-Symbol-Tables (${JPCERT_SYMBOL_TABLES}), or convert the PDB from Microsoft's symbol server ` +
      `with Volatility 3: python3 -m volatility3.framework.symbols.windows.pdbconv -p ${pdb.pdbName} -g ${msGuidAge} -o ${file}`,
    `Put it at <dir>/windows/${pdb.pdbName}/${file} (or the whole windows.zip at <dir>/windows.zip) and pass -s <dir>, ` +
      'or drop the file (or windows.zip) onto the page.',
  ].join('\n');
}

/**
 * The name to read a dropped symbol file under: a PDB named as symbol folders keep it (`<GUID>-<AGE>.pdb`) does not
 * say which PDB it is, so when its GUID and age are those the image needs, it takes that PDB's name.
 */
export function symbolFileName(fileName: string, missing: PdbIdentity | undefined): string {
  const m = /^([0-9a-f]{32})-(\d{1,10})\.pdb$/i.exec(fileName);
  if (!m || !missing) return fileName;
  return m[1]!.toUpperCase() === missing.guid.toUpperCase() && Number(m[2]) === missing.age ? missing.pdbName : fileName;
}
