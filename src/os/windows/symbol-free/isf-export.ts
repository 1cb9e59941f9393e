import { MemscopeError } from '../../../errors.ts';
import type { WindowsKernel } from '../windows-kernel.ts';
import { discoveredIsf } from './discovered-table.ts';
import type { IsfStruct } from './stable-layouts.ts';

/**
 * Types Volatility 3 attaches classes to when it loads a Windows kernel table (it refuses one without them). A
 * discovered table has only the process structures; the others are written as empty stand-ins, so Volatility's
 * process plugins run on the file and the rest fail there as they fail here, for want of the real table.
 */
const VOLATILITY_CLASS_TYPES = (
  '_ETHREAD _KTHREAD _LIST_ENTRY _EPROCESS _ERESOURCE _UNICODE_STRING _EX_FAST_REF _TOKEN _OBJECT_HEADER _FILE_OBJECT ' +
  '_DEVICE_OBJECT _CM_KEY_BODY _CMHIVE _CM_KEY_NODE _CM_KEY_VALUE _HMAP_ENTRY _MMVAD_SHORT _MMVAD _KSYSTEM_TIME _KMUTANT ' +
  '_DRIVER_OBJECT _OBJECT_SYMBOLIC_LINK _CONTROL_AREA _SHARED_CACHE_MAP _VACB _POOL_TRACKER_BIG_PAGES _IMAGE_DOS_HEADER ' +
  '_KTIMER _MM_AVL_NODE _RTL_BALANCED_NODE'
).split(' ');
const STAND_IN: IsfStruct = { kind: 'struct', size: 8, fields: {} };

/**
 * The table memscope discovered in a Windows image (no symbol file) as a Volatility 3 ISF: keyed by the kernel's PDB
 * GUID and age like a real one, so `vol -s DIR` finds it at DIR/windows/ntkrnlmp.pdb/<GUID>-<AGE>.json.
 * BAD_REQUEST when the kernel's table came from a symbol file.
 */
export function discoveredIsfText(kernel: WindowsKernel, producerVersion: string): string {
  const json = discoveredIsf(kernel.symbols);
  if (!json) {
    throw new MemscopeError('BAD_REQUEST', `the symbols in use come from a symbol file (${kernel.symbols.origin}): nothing was discovered`);
  }
  const standIns = Object.fromEntries(VOLATILITY_CLASS_TYPES.map((t) => [t, STAND_IN]));
  return JSON.stringify({
    ...json,
    metadata: { ...json.metadata, producer: { name: 'memscope', version: producerVersion } },
    user_types: { ...standIns, ...json.user_types },
  });
}
