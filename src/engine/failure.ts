import { describeInternal, isMemscopeError } from '../errors.ts';
import { MissingSymbolsError } from '../symbols/missing-symbols.ts';
import type { EngineFailure } from './engine-api.ts';

/**
 * Any throw as failure data for the page. A MemscopeError keeps its code; anything else is a bug in memscope,
 * not a fault of the image, and says so, with its stack for the report.
 */
export function toFailure(e: unknown): EngineFailure {
  if (e instanceof MissingSymbolsError) {
    const { pdbName, guid, age } = e.missing;
    return { code: e.code, message: e.message, missingSymbols: { kind: 'pdb', pdbName, guid, age } };
  }
  if (isMemscopeError(e)) return { code: e.code, message: e.message };
  const { message, stack } = describeInternal(e);
  return { code: 'INTERNAL', message: `This is a bug in memscope — please report it, with the steps that led to it: ${message}`, stack };
}
