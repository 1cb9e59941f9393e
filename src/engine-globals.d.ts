// The host globals engine code may use. The engine (tsconfig.engine.json) compiles against ES2022 alone: no DOM, no
// Node types. Each global below is a Web platform API that browser pages, Web Workers and Node ≥ 20 (package.json
// "engines") all provide under this name, so engine code using it runs unchanged in the engine worker and the CLI.
// Only the members the engine calls are declared; tsconfig.browser.json and tsconfig.node.json check the same engine
// code against each host's full typings, so a member one host lacks cannot slip in here. Anything host-specific
// (files, IndexedDB, fetch, timers) belongs in src/node or src/browser, handed to the engine as an interface.
// WebAssembly is declared apart (wasm-globals.d.ts) because Node's typings lack it.

/** WHATWG Encoding: UTF-8, UTF-16LE and latin1 text in images and symbol files. */
interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

/**
 * Cancelling: runs receive signals from the worker's jobs or the CLI; the engine makes its own only for work several
 * runs share (a session's pool-tag pass), which stops when the last run reading it leaves.
 */
interface AbortSignal {
  readonly aborted: boolean;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
/** A signal that aborts after a time: the engine's one timer (a worker stuck in YARA-X is stopped from outside). */
declare var AbortSignal: {
  prototype: AbortSignal;
  timeout(milliseconds: number): AbortSignal;
};
interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
declare var AbortController: {
  prototype: AbortController;
  new (): AbortController;
};

/** WHATWG URL: the enrichment API's base URL, checked before a key is sent to it (src/enrich/api-url.ts). */
interface URL {
  readonly href: string;
  readonly origin: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly username: string;
  readonly search: string;
  readonly hash: string;
}
declare var URL: {
  prototype: URL;
  new (url: string, base?: string): URL;
  canParse(url: string, base?: string): boolean;
};

/** Base64 of ISF `constant_data` (the Linux banner). */
declare function atob(data: string): string;
declare function btoa(data: string): string;

/** Web Crypto digests: cache keys of kernel symbol tables. */
declare var crypto: {
  readonly subtle: {
    digest(algorithm: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512', data: ArrayBufferView<ArrayBuffer> | ArrayBuffer): Promise<ArrayBuffer>;
  };
};

/** Images and symbol files the user gave (a `File` is a Blob); bytes to stream through a DecompressionStream. */
interface Blob {
  readonly size: number;
  slice(start?: number, end?: number): Blob;
  arrayBuffer(): Promise<ArrayBuffer>;
  stream(): ReadableStream<Uint8Array<ArrayBuffer>>;
}
declare var Blob: {
  prototype: Blob;
  new (parts?: readonly (ArrayBufferView<ArrayBuffer> | ArrayBuffer | Blob | string)[]): Blob;
};

/** WHATWG Streams: gzip/deflate/xz decoding and zip.js's entry readers and writers. */
interface ReadableStream<R = any> {
  readonly locked: boolean;
  getReader(): ReadableStreamDefaultReader<R>;
  pipeThrough<T>(transform: { writable: WritableStream<R>; readable: ReadableStream<T> }): ReadableStream<T>;
  cancel(reason?: unknown): Promise<void>;
}
interface ReadableStreamDefaultReader<R = any> {
  read(): Promise<{ done: false; value: R } | { done: true; value?: undefined }>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}
interface ReadableStreamDefaultController<R = any> {
  enqueue(chunk: R): void;
  close(): void;
  error(reason?: unknown): void;
}
declare var ReadableStream: {
  prototype: ReadableStream;
  new <R = any>(source: {
    start?(controller: ReadableStreamDefaultController<R>): void | Promise<void>;
    pull?(controller: ReadableStreamDefaultController<R>): void | Promise<void>;
    cancel?(reason?: unknown): void | Promise<void>;
  }): ReadableStream<R>;
};

interface WritableStream<W = any> {
  readonly locked: boolean;
  abort(reason?: unknown): Promise<void>;
}
declare var WritableStream: {
  prototype: WritableStream;
  new <W = any>(sink: {
    write?(chunk: W): void | Promise<void>;
    close?(): void | Promise<void>;
    abort?(reason?: unknown): void | Promise<void>;
  }): WritableStream<W>;
};

interface DecompressionStream {
  readonly readable: ReadableStream<Uint8Array<ArrayBuffer>>;
  readonly writable: WritableStream<ArrayBufferView<ArrayBuffer> | ArrayBuffer>;
}
declare var DecompressionStream: {
  prototype: DecompressionStream;
  new (format: 'deflate' | 'deflate-raw' | 'gzip'): DecompressionStream;
};
