/** What the fuzzer sends a child to run, and what the child answers (the IPC messages between runner.ts and child.ts). */

/** A patch as it travels and is saved: the file offset and the bytes in hex. */
export interface HexPatch {
  readonly offset: number;
  readonly hex: string;
}

export interface Job {
  readonly path: string;
  readonly symbolDirs: readonly string[];
  readonly plugin: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly patches: readonly HexPatch[];
}

/** The child's answer: rows (with how many repeated an earlier row) or a failure as the CLI would report it. */
export type ChildResult =
  | { readonly kind: 'rows'; readonly rows: number; readonly repeated: number; readonly warnings: number; readonly maxRssKb: number }
  | { readonly kind: 'error'; readonly exitCode: number; readonly line: string; readonly maxRssKb: number };

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
