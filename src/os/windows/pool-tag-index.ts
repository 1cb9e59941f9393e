import type { ScanService } from '../../engine/scan-service.ts';
import { MemscopeError } from '../../errors.ts';
import type { ScanHit } from '../../scan/scanner.ts';
import type { WindowsKernel } from './windows-kernel.ts';

const POOL_TAG_ALIGNMENT = 16;
/** Where the tag lies in a _POOL_HEADER (x64). */
export const POOL_TAG_OFFSET = 4;

/** A scan for x64 pool headers carrying one of `tags`. */
export function poolTagSpec(tags: readonly Uint8Array[]) {
  return { kind: 'tags', tags: [...tags], alignment: POOL_TAG_ALIGNMENT, offset: POOL_TAG_OFFSET } as const;
}
/** Hits the shared pass keeps (9 bytes each); past it the pass stops and its readers are told. */
export const MAX_PASS_HITS = 4_000_000;

const latin1 = (tag: string): Uint8Array => Uint8Array.from(tag, (c) => c.charCodeAt(0));
const tagValue = (tag: Uint8Array): number => new DataView(tag.buffer, tag.byteOffset, 4).getUint32(0, true);

/** 'Proc' / 'Thre' as bytes, and with the protected bit (0x80) on the last byte. */
export function poolTags(tag: string): Uint8Array[] {
  const plain = latin1(tag);
  const protectedTag = plain.slice();
  protectedTag[3]! |= 0x80;
  return [protectedTag, plain];
}

/**
 * Every tag memscope's Windows pool scanners look for (executive objects with and without the protected bit, kernel
 * modules, tcpip endpoints and neighbours of every known layout): the one pass over physical memory looks for all of
 * them, so the session's next pool scan reads nothing. A scanner asking for a tag not listed here scans on its own.
 */
const CATALOG: readonly Uint8Array[] = [
  ...['Proc', 'Thre', 'Driv', 'File', 'Muta', 'Symb'].flatMap(poolTags),
  ...['MmLd', 'TcpL', 'TcpE', 'TTcb', 'UdpA', 'Ipnb'].map(latin1),
];
const CATALOG_SLOTS = new Map(CATALOG.map((tag, slot) => [tagValue(tag), slot]));
/** Kept hits are filed under the catalogue they were found for: another catalogue's slots mean other tags. */
const KEPT_NAME = `windows/pool-tags/v1-${CATALOG.map((t) => tagValue(t).toString(16)).join('')}`;
/** A pass with more hits is not kept (its JSON would be tens of MB); the next session scans again. */
const MAX_KEPT_HITS = 1_000_000;
/** Kept hits checked against the image before they are trusted (the fingerprint samples the file; this, the hits). */
const KEPT_CHECKS = 64;

/** A finished pass as kept: addresses as deltas from the previous (ascending), each hit's catalogue slot. */
interface KeptPass {
  readonly count: number;
  readonly deltas: readonly number[];
  readonly slots: readonly number[];
}

export interface PassControl {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The hits of one pass for every catalogued tag, in physical order, growing while the pass runs. */
class TagPass {
  private addresses = new Float64Array(1024);
  private slots = new Uint8Array(1024);
  length = 0;
  state: 'running' | 'done' | 'failed' = 'running';
  error: unknown;
  /** The pass stopped at MAX_PASS_HITS: hits beyond the last one kept are missing. */
  truncated = false;
  readonly abort = new AbortController();
  readonly listeners = new Set<(done: number, total: number) => void>();
  readers = 0;
  private progress: [number, number] = [0, 1];
  private waiting: (() => void)[] = [];

  async run(kernel: WindowsKernel, scanner: ScanService): Promise<void> {
    const spec = poolTagSpec(CATALOG);
    try {
      if (await this.restore(kernel)) {
        this.progress = [1, 1];
        this.state = 'done';
        return;
      }
      const onProgress = (done: number, total: number) => {
        this.progress = [done, total];
        for (const listener of this.listeners) listener(done, total);
        this.wake();
      };
      for await (const hit of scanner.scan(kernel.phys, spec, { signal: this.abort.signal, onProgress })) {
        if (this.length === MAX_PASS_HITS) {
          this.truncated = true;
          break;
        }
        this.push(hit);
      }
      this.state = 'done';
      if (!this.truncated) await this.keep(kernel);
    } catch (e) {
      this.state = 'failed';
      this.error = e;
    } finally {
      this.wake();
    }
  }

  /** Takes a previous session's pass of this image, when kept and its sampled hits still hold their tags. */
  private async restore(kernel: WindowsKernel): Promise<boolean> {
    const kept = (await kernel.kept?.get(KEPT_NAME)) as KeptPass | undefined;
    const { count, deltas, slots } = kept ?? {};
    if (!Number.isInteger(count) || !Array.isArray(deltas) || !Array.isArray(slots) || deltas.length !== count || slots.length !== count)
      return false;
    const addresses = new Float64Array(count!);
    let address = 0;
    for (let i = 0; i < count!; i++) {
      const delta = deltas[i];
      const slot = slots[i];
      if (typeof delta !== 'number' || delta < (i === 0 ? 0 : 1) || !Number.isSafeInteger(delta) || typeof slot !== 'number' || !CATALOG[slot])
        return false;
      addresses[i] = address += delta;
    }
    for (let k = 0; k < Math.min(KEPT_CHECKS, count!); k++) {
      const i = Math.floor((k * count!) / Math.min(KEPT_CHECKS, count!));
      const bytes = await kernel.phys.read(addresses[i]!, 4);
      if (tagValue(bytes) !== tagValue(CATALOG[slots[i] as number]!)) return false;
    }
    this.addresses = addresses;
    this.slots = Uint8Array.from(slots as number[]);
    this.length = count!;
    return true;
  }

  /** Keeps a whole pass for the next session on this image (best effort: a cache that fails costs a scan, not the run). */
  private async keep(kernel: WindowsKernel): Promise<void> {
    if (!kernel.kept || this.length > MAX_KEPT_HITS) return;
    const deltas = new Array<number>(this.length);
    for (let i = 0, previous = 0; i < this.length; previous = this.addresses[i++]!) deltas[i] = this.addresses[i]! - previous;
    try {
      await kernel.kept.set(KEPT_NAME, { count: this.length, deltas, slots: [...this.slots.subarray(0, this.length)] } satisfies KeptPass);
    } catch {
      // Kept results are an optimisation.
    }
  }

  hit(i: number): ScanHit {
    return { pattern: this.slots[i]!, address: this.addresses[i]! };
  }

  /** Resolves when hits arrive, the pass ends, or `signal` aborts. */
  changed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiting.push(done);
    });
  }

  follow(listener: (done: number, total: number) => void): void {
    this.listeners.add(listener);
    listener(...this.progress);
  }

  private push(hit: ScanHit): void {
    if (this.length === this.addresses.length) {
      this.addresses = grow(this.addresses, new Float64Array(this.length * 2));
      this.slots = grow(this.slots, new Uint8Array(this.length * 2));
    }
    this.addresses[this.length] = hit.address;
    this.slots[this.length++] = hit.pattern;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

function grow<T extends Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

const passes = new WeakMap<WindowsKernel, TagPass>();

/**
 * The hits for `tags` (pattern: index into `tags`) from the kernel's shared pool-tag pass, in physical order, as the
 * pass finds them: the first scan of a session starts the pass, later ones read what it has found and wait for the
 * rest. The pass stops when every reader has left before it ended, and starts again for the next. Null when a tag is
 * not in the catalogue (the caller scans for it on its own).
 */
export function sharedTagHits(
  kernel: WindowsKernel,
  scanner: ScanService,
  tags: readonly Uint8Array[],
  control: PassControl = {},
): { hits: AsyncGenerator<ScanHit>; truncated: () => boolean } | null {
  const wanted = new Int32Array(CATALOG.length).fill(-1);
  for (const [i, tag] of tags.entries()) {
    const slot = CATALOG_SLOTS.get(tagValue(tag));
    if (slot === undefined) return null;
    if (wanted[slot] === -1) wanted[slot] = i;
  }
  let pass = passes.get(kernel);
  if (!pass || pass.state === 'failed') {
    pass = new TagPass();
    passes.set(kernel, pass);
    void pass.run(kernel, scanner);
  }
  const reading = pass;
  return { hits: readPass(kernel, reading, wanted, control), truncated: () => reading.truncated };
}

async function* readPass(kernel: WindowsKernel, pass: TagPass, wanted: Int32Array, control: PassControl): AsyncGenerator<ScanHit> {
  const { signal, onProgress } = control;
  pass.readers++;
  if (onProgress) pass.follow(onProgress);
  try {
    for (let i = 0; ;) {
      for (; i < pass.length; i++) {
        const hit = pass.hit(i);
        const pattern = wanted[hit.pattern]!;
        if (pattern >= 0) yield { pattern, address: hit.address };
      }
      if (signal?.aborted) throw new MemscopeError('CANCELLED', 'physical scan cancelled', kernel.phys.source.name);
      if (pass.state === 'done') return;
      if (pass.state === 'failed') throw pass.error;
      await pass.changed(signal);
    }
  } finally {
    if (onProgress) pass.listeners.delete(onProgress);
    // The last reader to leave a running pass stops it; the next scan starts a new one.
    if (--pass.readers === 0 && pass.state === 'running') {
      pass.abort.abort();
      if (passes.get(kernel) === pass) passes.delete(kernel);
    }
  }
}
