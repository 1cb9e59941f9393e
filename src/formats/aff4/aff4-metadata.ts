import { MemscopeError } from '../../errors.ts';
import { describeCause } from '../../io/read-bounds.ts';

export const AFF4 = 'http://aff4.org/Schema#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
/** Turtle of a volume with thousands of objects is a few MB; more is not metadata. */
export const MAX_TURTLE_BYTES = 32 * 1024 * 1024;

/** The RDF statements of `information.turtle`: subject → predicate → objects (IRIs or literal values). */
export class Aff4Metadata {
  private constructor(private readonly graph: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>) {}

  /** Parses Turtle; a syntax error → CORRUPT naming `fileName`. The parser (n3) is loaded on first use. */
  static async parse(text: string, fileName: string, baseIRI: string): Promise<Aff4Metadata> {
    const { Parser } = await import('n3');
    const graph = new Map<string, Map<string, string[]>>();
    try {
      for (const quad of new Parser({ baseIRI: baseIRI || undefined }).parse(text)) {
        const predicates = graph.get(quad.subject.value) ?? new Map<string, string[]>();
        graph.set(quad.subject.value, predicates);
        const objects = predicates.get(quad.predicate.value) ?? [];
        predicates.set(quad.predicate.value, objects);
        objects.push(quad.object.value);
      }
    } catch (e) {
      throw new MemscopeError('CORRUPT', `information.turtle is not valid Turtle (${describeCause(e)})`, fileName);
    }
    return new Aff4Metadata(graph);
  }

  /** Every value of `aff4:<name>` on `subject`. */
  values(subject: string, name: string): readonly string[] {
    return this.graph.get(subject)?.get(AFF4 + name) ?? [];
  }

  value(subject: string, name: string): string | undefined {
    return this.values(subject, name)[0];
  }

  hasType(subject: string, aff4Type: string): boolean {
    return (
      this.graph
        .get(subject)
        ?.get(RDF_TYPE)
        ?.includes(AFF4 + aff4Type) ?? false
    );
  }

  /** Subjects with rdf:type `aff4:<aff4Type>`, in document order. */
  subjectsOfType(aff4Type: string): string[] {
    return [...this.graph.keys()].filter((s) => this.hasType(s, aff4Type));
  }
}
