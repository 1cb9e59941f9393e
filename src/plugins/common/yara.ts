/**
 * YARA rules compiled and run by YARA-X (`@virustotal/yara-x`, its official Wasm build; the rule dialect is YARA-X's,
 * close to YARA 4). The package is loaded on first use only: in the page its module and yara_x_js_bg.wasm are separate
 * files next to the engine worker (src/build/build.mjs points this import at them; the module fetches the .wasm
 * beside itself), in Node the package's own files from node_modules.
 *
 * Measured facts the callers build on (yara-x 1.20.0, Node 20, one core): a scan call costs ~20 ms whatever its size,
 * then ~0.5–1 GB/s, so buffers are scanned in large chunks; a regexp or hex-jump match is at most ~4 KiB long;
 * `setTimeoutMs` has no effect in the Wasm build (a 64 KiB buffer under `/a.{0,1000}b/` took 16 s with a 200 ms
 * timeout): it is set anyway, and the hosts' scan workers enforce --yara-timeout by stopping a worker from outside
 * (src/scan/worker-slots.ts).
 */

import { PluginRequestError } from './request-error.ts';

/** One match of one pattern: its offset in the scanned buffer and its length. */
export interface YaraHit {
  readonly rule: string;
  /** The pattern's identifier, `$a`. */
  readonly pattern: string;
  readonly offset: number;
  readonly length: number;
  /** Whether the pattern hit YaraLimits.maxMatchesPerPattern in this buffer (later matches of it were dropped). */
  readonly capped: boolean;
}

export interface YaraLimits {
  /** Most matches kept per pattern and buffer. */
  readonly maxMatchesPerPattern: number;
  /** Asked of the engine per buffer (see above: the Wasm build does not enforce it). */
  readonly timeoutMs: number;
}

/** Compiled rules with their scanner; `free` releases their Wasm memory. */
export interface YaraRules {
  /** Compiler warnings (slow patterns, ...) on one line each: "line 1, column 24: slow pattern (...) [slow_pattern]". */
  readonly warnings: readonly string[];
  /** Matches in `bytes` whose first byte lies before `limit` (default: all), by offset (at one offset in rule order). */
  scan(bytes: Uint8Array, limit?: number): YaraHit[];
  free(): void;
}

/** Rules that do not compile: a request error (BAD_REQUEST) whose message is the compiler's, with line and column. */
export class YaraCompileError extends PluginRequestError {}

type YaraX = typeof import('@virustotal/yara-x');

let loaded: Promise<YaraX> | undefined;

/** The YARA-X module, initialised once; rejects when it cannot be loaded (then again on the next call). */
function loadYaraX(): Promise<YaraX> {
  loaded ??= load().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

// The few Node APIs used, typed here: plugin code compiles without Node's typings (tsconfig.engine.json).
interface NodeFs {
  readFileSync(path: string): Uint8Array;
}
interface NodeUrl {
  fileURLToPath(url: string): string;
}
interface NodeProcess {
  readonly versions?: { readonly node?: string };
  getBuiltinModule?(id: string): unknown;
}

async function load(): Promise<YaraX> {
  const yarax = await import('@virustotal/yara-x');
  const node = (globalThis as { process?: NodeProcess }).process;
  if (node?.versions?.node) {
    // Node's fetch does not read file: URLs, which the package's default init uses: hand it the bytes.
    const fs = node.getBuiltinModule?.('node:fs') as NodeFs | undefined;
    const url = node.getBuiltinModule?.('node:url') as NodeUrl | undefined;
    const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
    if (!fs || !url || !resolve) throw new Error(`YARA needs Node ≥ 20.16 (this is ${node.versions.node})`);
    const wasm = url.fileURLToPath(resolve('@virustotal/yara-x').replace(/[^/]*$/, 'yara_x_js_bg.wasm'));
    yarax.initSync({ module: fs.readFileSync(wasm) });
  } else {
    await yarax.default();
  }
  return yarax;
}

/**
 * A Wasm trap in a scan as an error saying what it most likely is: YARA-X's Wasm build keeps every scan's Wasm instance
 * alive, and a thread that has scanned many thousand times (a Chromium tab about 120) has no room for the next. The scan
 * workers are renewed before that (src/scan/yara-lanes.ts); a scan on the calling thread cannot be.
 */
function trapped(e: unknown, scans: number): unknown {
  if (!(e instanceof Error) || e.message !== 'unreachable') return e;
  return new Error(
    `YARA-X stopped (Wasm trap: unreachable) after ${scans} scans on this thread: its Wasm build keeps each scan's memory; ` +
      'scan workers, renewed as they go, do not run out (in the CLI leave MEMSCOPE_SCAN_WORKERS unset)',
  );
}

/** Compiles `source` (YARA-X's dialect); YaraCompileError names the first bad line and column. */
export async function compileYara(source: string, limits: YaraLimits): Promise<YaraRules> {
  const { Compiler } = await loadYaraX();
  const compiler = new Compiler();
  let warnings: string[];
  let rules;
  try {
    try {
      compiler.addSource(source);
    } catch (e) {
      throw new YaraCompileError(`YARA rules do not compile: ${diagnostic(e instanceof Error ? e.message : String(e))}`);
    }
    warnings = compiler.warnings.map(diagnostic);
    rules = compiler.build(); // consumes the compiler, whose free() is then a no-op
  } finally {
    compiler.free();
  }
  const scanner = rules.scanner();
  scanner.setMaxMatchesPerPattern(limits.maxMatchesPerPattern);
  scanner.setTimeoutMs(limits.timeoutMs);
  let scans = 0;
  return {
    warnings,
    scan(bytes, limit = bytes.length) {
      let results;
      try {
        results = scanner.scan(bytes);
      } catch (e) {
        throw trapped(e, scans);
      }
      scans++;
      return hitsOf(results, limit, limits.maxMatchesPerPattern);
    },
    free() {
      scanner.free();
      rules.free();
    },
  };
}

/**
 * A YARA-X error or warning on one line: "error[E025]: unknown pattern `$b`\n --> line:5:12\n  |\n5 | …\n  | ^^ this pattern is not
 * declared …" becomes "line 5, column 12: unknown pattern `$b` (this pattern is not declared …) [E025]".
 */
function diagnostic(report: string): string {
  const lines = report.split('\n');
  const head = /^(?:error|warning)\[(\w+)\]: (.*)$/.exec(lines[0] ?? '');
  const at = /-->\s*line:(\d+):(\d+)/.exec(report);
  const label = lines.map((l) => /^\s*\|\s*[\^-]+\s+(.+)$/.exec(l)?.[1]).find((l) => l !== undefined);
  if (!head || !at) return report.replace(/\s*\n\s*/g, ' ');
  return `line ${at[1]}, column ${at[2]}: ${head[2]}${label ? ` (${label})` : ''} [${head[1]}]`;
}

interface ScanResult {
  readonly matches: readonly {
    readonly identifier: string;
    readonly patterns: readonly { readonly identifier: string; readonly matches: readonly { readonly offset: number; readonly length: number }[] }[];
  }[];
}

function hitsOf(result: ScanResult, limit: number, cap: number): YaraHit[] {
  const hits: YaraHit[] = [];
  for (const rule of result.matches) {
    for (const pattern of rule.patterns) {
      const capped = pattern.matches.length >= cap;
      for (const m of pattern.matches) {
        if (m.offset < limit) hits.push({ rule: rule.identifier, pattern: pattern.identifier, offset: m.offset, length: m.length, capped });
      }
    }
  }
  return hits.sort((a, b) => a.offset - b.offset);
}
