import type { MissingSymbols } from '../engine/engine-api.ts';
import { parsePdbKey, pdbKey } from '../symbols/symbol-table.ts';

/**
 * What to tell a user who added symbol files for another build of what the image needs: the table kept is for
 * another kernel (another GUID/age, another banner), so the image still lacks its own. undefined when the files
 * include the one needed, or are for other modules (a tcpip.pdb added beside the kernel's need is no mismatch).
 */
export function symbolMismatch(needed: MissingSymbols, addedKeys: readonly string[]): string | undefined {
  if (needed.kind === 'pdb') {
    const wanted = pdbKey(needed.pdbName, needed.guid, needed.age);
    if (addedKeys.includes(wanted)) return undefined;
    const sameModule = addedKeys.map(parsePdbKey).filter((k) => k?.pdbName.toLowerCase() === needed.pdbName.toLowerCase());
    if (sameModule.length === 0) return undefined;
    const given = sameModule.map((k) => `GUID ${k!.guid} age ${k!.age}`).join(', ');
    return `The ${needed.pdbName} you added is for another build (${given}); this image needs GUID ${needed.guid.replace(/-/g, '').toUpperCase()} age ${needed.age}. It is kept for images of that build.`;
  }
  const wanted = `linux/${needed.banner}`;
  const kernels = addedKeys.filter((k) => k.startsWith('linux/'));
  if (kernels.length === 0 || kernels.includes(wanted)) return undefined;
  return `The Linux symbol file you added is for another kernel (${kernels.map((k) => k.slice('linux/'.length)).join('; ')}); this image runs ${needed.banner}. It is kept for images of that kernel.`;
}
