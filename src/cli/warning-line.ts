import type { CountedWarning } from '../plugins/plugin.ts';
import { escapeControls } from '../render/terminal-text.ts';

/** A run's warning as one stderr line: `memscope: warning [SMEAR] <message> (at 0x…) (×3)`. */
export function warningLine({ code, message, address, count }: CountedWarning): string {
  const at = address === undefined ? '' : ` (at ${address})`;
  const times = count > 1 ? ` (×${count})` : '';
  return `memscope: warning ${escapeControls(`[${code}] ${message}${at}${times}`)}\n`;
}
