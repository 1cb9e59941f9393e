import type { ImageSummary } from '../engine/engine-api.ts';
import type { KeyValueCache } from '../engine/kv-cache.ts';
import type { ScanService } from '../engine/scan-service.ts';
import type { MemscopeError } from '../errors.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import type { VirtualLayer } from '../layers/virtual-layer.ts';
import type { MemscopeWasm } from '../layers/wasm-module.ts';
import type { SymbolStore } from '../symbols/symbol-store.ts';
import type { KernelContext } from '../plugins/api/memory.ts';
import type { Warn } from '../plugins/plugin.ts';
import type { KernelBase } from './kernel-base.ts';

/** What discovery and kernel loading get from the session. */
export interface OsEnv {
  readonly physical: PhysicalLayer;
  readonly wasm: MemscopeWasm;
  readonly scanner: ScanService;
  readonly symbols: SymbolStore;
  /** The session's cache: an OS may keep what it decodes per kernel there (Linux: kallsyms). */
  readonly discoveryCache?: KeyValueCache;
  /** The image's fingerprint (image-fingerprint.ts): what kept results are filed under. */
  readonly fingerprint?: string;
  readonly signal?: AbortSignal;
}

/**
 * What a kernel context needs of the run it serves: the run's warnings, cancellation and progress, the session's
 * scanner and symbol store (for the tables of modules other than the kernel: tcpip.pdb).
 */
export interface RunScope {
  readonly warn: Warn;
  readonly signal?: AbortSignal;
  readonly progress: (done: number, total: number, stage: string) => void;
  readonly scanner: ScanService;
  readonly symbols: SymbolStore;
}

/** A discovery's answer, cached per image: what was found (plain data), or why nothing was. */
export type OsOutcome<D> =
  | { readonly discovery: D }
  /** `partial`: the OS was seen, but the capture is incomplete (said in the summary's warnings). */
  | { readonly discovery: null; readonly why: string; readonly partial: boolean };

/**
 * A kernel context, or why there is none: the error a run gets and, for plugin lists, a short reason (by default
 * "needs the <OS> kernel's symbols: <the error's first line>"). `osVersion`: the exact version the kernel tells.
 */
export type KernelLoad<K extends KernelBase> =
  | {
      readonly kernel: K;
      readonly osVersion?: string;
      /**
       * Built without the kernel's symbol table, from what the image itself gives (retried until the table arrives):
       * what plugins that need the table are told.
       */
      readonly provisional?: { readonly reason: string; readonly error: MemscopeError };
      /** What the summary should say about how it was built ("ExitTime is not known for build ..."). */
      readonly warnings?: readonly string[];
    }
  | { readonly kernel: null; readonly error: MemscopeError; readonly reason?: string };

/** What the summary says about a found OS; the session adds the container's fields and every OS's partial finds. */
export type OsSummary = Pick<ImageSummary, 'osVersion' | 'dtb' | 'kernelBase' | 'symbols' | 'symbolKey' | 'missingSymbols' | 'warnings' | 'bootTime'>;

/**
 * One OS memscope analyses, registered in src/os/registry.ts like a container format in src/formats/detect.ts.
 * `D`: what discovery finds (plain data, cached per image); `F`: what building the kernel needs once the image
 * confirms it; `K`: the kernel context built once per image; `C`: what a plugin run gets of it (ctx.<id>()), one of
 * the published kernel contexts (src/plugins/api/).
 */
export interface OsProfile<
  Id extends string = string,
  D extends object = object,
  F = unknown,
  K extends KernelBase = KernelBase,
  C extends KernelContext = KernelContext,
> {
  /** Names plugins' kernel requirement, their accessor (ctx.windows()) and the summary's `os`. */
  readonly id: Id;
  /** In messages: "needs a Windows kernel", "this is a Windows image". */
  readonly name: string;
  /** Discovery is cached under "<id>/v<cacheVersion>/<image fingerprint>": bump it when `D` changes. */
  readonly cacheVersion: number;
  /** Cheap: what the container's own notes say, tried for every OS before any memory search; null when they say nothing. */
  fromContainer?(env: OsEnv): Promise<OsOutcome<D> | null>;
  /** The search of memory, run in registry order until an OS is found. */
  discover(env: OsEnv): Promise<OsOutcome<D>>;
  /** Whether a discovery (just made, or remembered for this image) fits the image: what the kernel is built from, or null. */
  confirm(env: OsEnv, discovery: D): Promise<F | null>;
  /**
   * The kernel context from the OS's symbol table (throwing a MemscopeError is the same as returning it): its
   * construction names every field and symbol the table lacks at once (KernelBase).
   */
  loadKernel(env: OsEnv, found: F): Promise<KernelLoad<K>>;
  summary(found: F, load: KernelLoad<K>): OsSummary;
  /** The kernel as one plugin run reads it: its warnings, progress and cancellation are the run's. */
  runContext(kernel: K, run: RunScope): C;
  /** A process's own address space by PID, for the hex view (BAD_REQUEST when it has none). */
  processSpace(kernel: K, pid: number): Promise<VirtualLayer>;
}
