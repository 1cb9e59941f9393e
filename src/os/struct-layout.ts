import { MemscopeError } from '../errors.ts';
import type { SymbolTable, TypeDescriptor } from '../symbols/symbol-table.ts';

export interface ResolvedField {
  readonly offset: number;
  readonly type: TypeDescriptor;
}

/** A field a reader relies on, as "struct.path" ("_EPROCESS.Pcb.DirectoryTableBase"), or alternatives of which any one will do. */
export type FieldNeed = string | readonly string[];

/** Resolves dotted field paths ("Pcb.DirectoryTableBase") against a symbol table, with a cache. */
export class StructLayout {
  private readonly cache = new Map<string, ResolvedField | null>();

  constructor(
    readonly table: SymbolTable,
    private readonly tableName: string,
  ) {}

  has(struct: string, path: string): boolean {
    return this.lookup(struct, path) !== null;
  }

  field(struct: string, path: string): ResolvedField {
    const f = this.lookup(struct, path);
    if (!f) throw new MemscopeError('SYMBOLS_INVALID', `${struct} has no field ${path}`, this.tableName);
    return f;
  }

  offset(struct: string, path: string): number {
    return this.field(struct, path).offset;
  }

  size(struct: string): number {
    const s = this.table.struct(struct);
    if (!s) throw new MemscopeError('SYMBOLS_INVALID', `no type ${struct}`, this.tableName);
    return s.size;
  }

  /**
   * Each need the table does not meet, resolving (and caching) every path: "struct.path", alternatives joined by
   * "or", and "type struct" once for a struct the table lacks altogether.
   */
  lacking(needs: readonly FieldNeed[]): string[] {
    const out = new Set<string>();
    for (const need of needs) {
      const paths = typeof need === 'string' ? [need] : need;
      const parts = paths.map((p) => splitPath(p));
      if (parts.some(([struct, path]) => this.has(struct, path))) continue;
      const absent = parts.find(([struct]) => !this.table.struct(struct));
      out.add(absent ? `type ${absent[0]}` : paths.join(' or '));
    }
    return [...out];
  }

  /** Size of the field's type, e.g. 16 for UCHAR[16]. */
  fieldSize(struct: string, path: string): number {
    return this.table.sizeOf(this.field(struct, path).type);
  }

  private lookup(struct: string, path: string): ResolvedField | null {
    const key = `${struct}.${path}`;
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = this.resolve(struct, path);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private resolve(struct: string, path: string): ResolvedField | null {
    let current = struct;
    let offset = 0;
    let type: TypeDescriptor | undefined;
    for (const part of path.split('.')) {
      if (type) {
        if (type.kind !== 'struct' && type.kind !== 'union' && type.kind !== 'class') return null;
        current = type.name;
      }
      const field = this.table.struct(current)?.fields.get(part);
      if (!field) return null;
      offset += field.offset;
      type = field.type;
    }
    return type ? { offset, type } : null;
  }
}

/** "struct.path" → [struct, path]. */
function splitPath(need: string): [string, string] {
  const dot = need.indexOf('.');
  return [need.slice(0, dot), need.slice(dot + 1)];
}
