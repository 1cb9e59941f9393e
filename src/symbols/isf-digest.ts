import { MemscopeError } from '../errors.ts';

/** The ISF sections looked up by name; `metadata` is small and kept whole. */
const LOOKUP_SECTIONS = ['base_types', 'user_types', 'enums', 'symbols'] as const;
type LookupSection = (typeof LOOKUP_SECTIONS)[number];
type JsonObject = Record<string, unknown>;

/**
 * What runs have asked of one ISF: the entries they read (with their JSON as in the file), the names they looked
 * up and the file does not have, and the sections they listed (kept whole). An ISF of a few entries that
 * answers, for those names, exactly as the whole file does.
 */
export interface IsfDigest {
  readonly metadata: JsonObject;
  readonly entries: Readonly<Record<LookupSection, JsonObject>>;
  readonly absent: Readonly<Record<LookupSection, readonly string[]>>;
  readonly whole: readonly LookupSection[];
}

/**
 * ISF JSON for `isfTable` that answers from a digest and reads the whole file (`loadFull`, synchronous: a table's
 * lookups are) only for a name the digest does not know; `digest()` is then the digest grown by what was read.
 * With an empty digest (`emptyDigest`) and the parsed file as `loadFull`, it records what a run uses.
 */
export class DigestedIsf {
  private readonly entries: Record<LookupSection, JsonObject>;
  private readonly absent: Record<LookupSection, Set<string>>;
  private readonly whole: Set<LookupSection>;
  private full: JsonObject | undefined;
  private changed = false;
  /** The JSON to hand to `isfTable`. */
  readonly json: JsonObject;

  constructor(
    digest: IsfDigest,
    private readonly loadFull: () => unknown,
  ) {
    this.entries = sectionRecord((s) => ({ ...digest.entries[s] }));
    this.absent = sectionRecord((s) => new Set(digest.absent[s]));
    this.whole = new Set(digest.whole);
    this.json = { metadata: digest.metadata, ...sectionRecord((s) => this.section(s)) };
  }

  /** Whether a lookup went past the digest it was made from. */
  get grown(): boolean {
    return this.changed;
  }

  digest(): IsfDigest {
    return {
      metadata: this.json.metadata as JsonObject,
      entries: this.entries,
      absent: sectionRecord((s) => [...this.absent[s]]),
      whole: [...this.whole],
    };
  }

  /** A section as a proxy: own-property reads of a name come from the digest or, once, from the whole file. */
  private section(name: LookupSection): JsonObject {
    const lookup = (key: string): unknown => {
      const entries = this.entries[name];
      if (Object.hasOwn(entries, key)) return entries[key];
      if (this.whole.has(name) || this.absent[name].has(key)) return undefined;
      const section = this.fullSection(name);
      this.changed = true;
      if (!Object.hasOwn(section, key)) {
        this.absent[name].add(key);
        return undefined;
      }
      return (entries[key] = section[key]);
    };
    return new Proxy({} as JsonObject, {
      get: (_, key) => (typeof key === 'string' ? lookup(key) : undefined),
      has: (_, key) => typeof key === 'string' && lookup(key) !== undefined,
      getOwnPropertyDescriptor: (_, key) => {
        const value = typeof key === 'string' ? lookup(key) : undefined;
        return value === undefined ? undefined : { value, writable: false, enumerable: true, configurable: true };
      },
      ownKeys: () => {
        if (!this.whole.has(name)) {
          this.entries[name] = { ...this.fullSection(name) };
          this.absent[name].clear();
          this.whole.add(name);
          this.changed = true;
        }
        return Object.keys(this.entries[name]);
      },
    });
  }

  private fullSection(name: LookupSection): JsonObject {
    this.full ??= this.loadFull() as JsonObject;
    const section = typeof this.full === 'object' && this.full !== null ? this.full[name] : undefined;
    if (typeof section !== 'object' || section === null) {
      throw new MemscopeError('SYMBOLS_INVALID', `the symbol table has no ${name} section`);
    }
    return section as JsonObject;
  }
}

/** The digest of a file nothing has been asked of yet: its metadata only. */
export function emptyDigest(json: unknown): IsfDigest {
  const metadata = typeof json === 'object' && json !== null ? (json as JsonObject).metadata : undefined;
  return {
    metadata: typeof metadata === 'object' && metadata !== null ? (metadata as JsonObject) : {},
    entries: sectionRecord(() => ({})),
    absent: sectionRecord(() => []),
    whole: [],
  };
}

/** A stored digest read back, or undefined for anything not shaped like one (a corrupt cache file). */
export function checkedDigest(value: unknown): IsfDigest | undefined {
  const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value) || !isObject(value.metadata) || !isObject(value.entries) || !isObject(value.absent)) return undefined;
  const { entries, absent, whole } = value;
  if (!Array.isArray(whole) || !whole.every((s) => (LOOKUP_SECTIONS as readonly unknown[]).includes(s))) return undefined;
  for (const s of LOOKUP_SECTIONS) {
    if (!isObject(entries[s])) return undefined;
    const names = absent[s];
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return undefined;
  }
  return value as unknown as IsfDigest;
}

function sectionRecord<T>(make: (section: LookupSection) => T): Record<LookupSection, T> {
  return Object.fromEntries(LOOKUP_SECTIONS.map((s) => [s, make(s)])) as Record<LookupSection, T>;
}
