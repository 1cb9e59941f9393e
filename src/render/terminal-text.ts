/** Control characters (text from memory may hold any) as \xNN, so that what is written to a terminal cannot drive it. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
