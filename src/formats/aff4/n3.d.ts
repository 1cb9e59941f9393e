// The part of n3 that AFF4 metadata parsing uses. Declared here rather than taken from @types/n3, whose
// `/// <reference types="node" />` would put Node's globals into every program that imports n3 — the engine's and
// the browser's included (see tsconfig.engine.json).
declare module 'n3' {
  export interface Term {
    readonly value: string;
  }
  export interface Quad {
    readonly subject: Term;
    readonly predicate: Term;
    readonly object: Term;
  }
  export class Parser {
    constructor(options?: { baseIRI?: string });
    /** Parses a whole Turtle document; throws on a syntax error. */
    parse(input: string): Quad[];
  }
}
