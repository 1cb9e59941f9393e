/**
 * The fields of one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote inside one), each trimmed. Lists are read
 * line by line: a quoted field spanning lines is not supported.
 */
export function csvFields(line: string, separator = ','): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] !== '"') quoted = false;
      else {
        field += '"';
        i++;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === separator) {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}
