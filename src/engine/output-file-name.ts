// The names of the files plugins write (PluginContext.output), as every host gives them: a plugin's name often comes
// from memory (a path, a process name), so it is hostile and may try to leave the output folder.

/** Longest name kept, in characters (file systems allow 255 bytes; room is left for a -N suffix). */
const MAX_NAME = 200;
/** Names Windows reserves for devices, whatever their extension. */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * `requested` as a file name safe in any folder on any OS: only ASCII letters, digits and `-_.,+=@#~!$%()[]{}` and
 * spaces are kept, every other character (folder separators, control characters, `:*?"<>|`, non-ASCII) becomes `_`;
 * a leading dot or space and a trailing one become `_` (no hidden file, no `.` or `..`), a device name of Windows
 * gets a leading `_`; over 200 characters, the stem is cut and the extension kept; nothing left is `file`.
 */
export function safeFileName(requested: string): string {
  let name = requested.replace(/[^A-Za-z0-9\-_.,+=@#~!$%()[\]{} ]/g, '_').replace(/^[. ]|[. ]$/g, '_');
  if (name.length > MAX_NAME) {
    const { stem, extension } = split(name);
    name = stem.slice(0, Math.max(1, MAX_NAME - extension.length)) + extension.slice(0, MAX_NAME - 1);
  }
  if (DEVICE_NAMES.test(split(name).stem)) name = `_${name}`;
  return name || 'file';
}

/** The `n`th name tried for a file whose safe name is taken: `name` itself, then `stem-1.ext`, `stem-2.ext` … (as Volatility 3). */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const { stem, extension } = split(name);
  return `${stem}-${n}${extension}`;
}

/** "inode_0x1.dmp" → "inode_0x1" and ".dmp"; a name without a dot after its first character has no extension. */
function split(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? { stem: name.slice(0, dot), extension: name.slice(dot) } : { stem: name, extension: '' };
}
