/** A row is one line high: a multi-line value (a hexdump, a disassembly) shows its first non-empty line and "…"; the whole is in the title and the row's details. */
export function firstLine(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return text;
  return lines.length - first > 1 ? `${lines[first]} …` : lines[first]!;
}
