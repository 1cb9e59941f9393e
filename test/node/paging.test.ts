import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { PageTableCache } from '../../src/layers/page-table-cache.ts';
import { VirtualLayer, type MappedRun } from '../../src/layers/virtual-layer.ts';
import { loadWasmBytesNode } from '../../src/node/wasm-bytes-node.ts';
import { codeMismatches, instantiateMemscopeWasm, MIRRORED_CODES, WalkStatus, type MemscopeWasm } from '../../src/layers/wasm-module.ts';
import { isMemscopeError } from '../../src/errors.ts';

const KiB4 = 0x1000;
const MiB2 = 0x20_0000;
const GiB1 = 0x4000_0000;
const P = 1n; // present
const RW = 2n;
const PS = 0x80n; // large page
const PAT_LARGE = 0x1000n; // PAT bit of a large-page entry (bit 12)
const NX = 1n << 63n;
const PROTOTYPE = 1n << 10n;
const TRANSITION = 1n << 11n;

const wasmBytes = await loadWasmBytesNode();
const newWasm = (): Promise<MemscopeWasm> => instantiateMemscopeWasm(wasmBytes);

test('the module exports every status and result code the JS side mirrors, with the same numbers', async () => {
  const { instance } = await WebAssembly.instantiate(wasmBytes, {});
  const exported = instance.exports as Record<string, WebAssembly.Global>;
  assert.deepEqual(Object.fromEntries(Object.keys(MIRRORED_CODES).map((name) => [name, exported[name]?.value])), MIRRORED_CODES);
  assert.deepEqual(codeMismatches(instance.exports), []);
  // A module numbering one code differently, or lacking one, is named.
  const { WALK_MAPPED: _mapped, ...withoutMapped } = instance.exports;
  assert.deepEqual(codeMismatches({ ...instance.exports, ENUM_BUDGET: { value: 7 } }), ['ENUM_BUDGET']);
  assert.deepEqual(codeMismatches(withoutMapped), ['WALK_MAPPED']);
});

/** Physical memory in a Uint8Array; counts reads. */
class MemoryPhysicalLayer implements PhysicalLayer {
  readonly format = 'test';
  readonly notes = [];
  readonly warnings = [];
  readonly runs;
  readonly capturedBytes: number;
  readonly source;
  reads = 0;
  constructor(readonly mem: Uint8Array) {
    this.runs = [{ start: 0, length: mem.length, fileOffset: 0 }];
    this.capturedBytes = mem.length;
    this.source = { name: 'test.raw', size: mem.length, read: async (o: number, n: number) => mem.slice(o, o + n) };
  }
  get size(): number {
    return this.mem.length;
  }
  async read(address: number, length: number): Promise<Uint8Array> {
    this.reads++;
    const out = new Uint8Array(length);
    if (address < this.mem.length) out.set(this.mem.subarray(address, Math.min(this.mem.length, address + length)));
    return out;
  }
}

/** Virtual address from the four table indexes (sign-extended like the CPU does). */
function va(i4: number, i3: number, i2: number, i1: number, offset = 0): bigint {
  const raw = (BigInt(i4) << 39n) | (BigInt(i3) << 30n) | (BigInt(i2) << 21n) | (BigInt(i1) << 12n) | BigInt(offset);
  return i4 >= 256 ? raw | 0xffff_0000_0000_0000n : raw;
}

/** Builds 4-level page tables by hand in physical memory. Tables are allocated from `tableBase` upward. */
class TableBuilder {
  readonly view: DataView;
  private next: number;
  readonly dtb: number;
  constructor(
    readonly mem: Uint8Array,
    tableBase: number,
  ) {
    this.view = new DataView(mem.buffer);
    this.next = tableBase;
    this.dtb = this.newTable();
  }
  newTable(): number {
    const t = this.next;
    this.next += KiB4;
    return t;
  }
  get tablesEnd(): number {
    return this.next;
  }
  entry(table: number, index: number): bigint {
    return this.view.getBigUint64(table + index * 8, true);
  }
  setEntry(table: number, index: number, value: bigint): void {
    this.view.setBigUint64(table + index * 8, value, true);
  }
  /** The table at `level` (3 = PDPT, 2 = PD, 1 = PT) covering the indexes, created as needed. */
  table(level: number, i4: number, i3 = 0, i2 = 0): number {
    let t = this.dtb;
    const path = [i4, i3, i2];
    for (let l = 4; l > level; l--) {
      const i = path[4 - l]!;
      let e = this.entry(t, i);
      if ((e & P) === 0n) {
        e = BigInt(this.newTable()) | P | RW;
        this.setEntry(t, i, e);
      }
      t = Number(e & 0x000f_ffff_ffff_f000n);
    }
    return t;
  }
  map4k(i4: number, i3: number, i2: number, i1: number, frame: number, flags = P | RW): void {
    this.setEntry(this.table(1, i4, i3, i2), i1, BigInt(frame) | flags);
  }
  map2m(i4: number, i3: number, i2: number, frame: number, flags = P | RW | PS): void {
    this.setEntry(this.table(2, i4, i3), i2, BigInt(frame) | flags);
  }
  map1g(i4: number, i3: number, frame: number, flags = P | RW | PS): void {
    this.setEntry(this.table(3, i4), i3, BigInt(frame) | flags);
  }
}

async function collect(layer: VirtualLayer, start = 0n, end = 1n << 64n): Promise<MappedRun[]> {
  const runs: MappedRun[] = [];
  for await (const r of layer.mappedRuns(start, end)) runs.push(r);
  return runs;
}

async function setup(physSize = 16 << 20, cachePages?: number) {
  const mem = new Uint8Array(physSize);
  const tables = new TableBuilder(mem, 0x10_0000);
  const phys = new MemoryPhysicalLayer(mem);
  const wasm = await newWasm();
  const cache = PageTableCache.of(wasm, cachePages);
  const layer = (windows: boolean) => new VirtualLayer(phys, wasm, tables.dtb, { windows, cache });
  return { mem, tables, phys, wasm, cache, layer };
}

test('4 KiB, 2 MiB and 1 GiB mappings translate with the page offset', async () => {
  const { tables, layer } = await setup();
  tables.map4k(0x24, 0x1d1, 0xb3, 0x189, 0x34_5000, P | RW | NX | (0x7ffn << 52n)); // NX and software bits ignored
  tables.map2m(0, 1, 0, 0x60_0000, P | RW | PS | PAT_LARGE);
  tables.map1g(1, 0, 0);
  const vm = layer(false);
  assert.equal(await vm.translate(va(0x24, 0x1d1, 0xb3, 0x189, 0xabc)), 0x34_5abc);
  assert.equal(await vm.translate(va(0x24, 0x1d1, 0xb3, 0x18a)), null, 'neighbouring PTE is empty');
  assert.equal(await vm.translate(va(0, 1, 0, 0x123, 0x456)), 0x60_0000 + 0x12_3456);
  assert.equal(await vm.translate(va(1, 0, 0, 0x12, 0x345)), 0x1_2345);
  assert.equal(await vm.translate(va(1, 0, 0, 0x12, 0x345) + 0x100_0000n), null, '1 GiB page beyond physical memory');

  const [small, large, huge] = await vm.lookupMany([va(0x24, 0x1d1, 0xb3, 0x189), va(0, 1, 0, 0), va(1, 0, 0, 0)]);
  assert.deepEqual([small!.pageSize, large!.pageSize, huge!.pageSize], [KiB4, MiB2, GiB1]);
  assert.equal(small!.status, WalkStatus.mapped);
});

test('non-present entries at every level give null', async () => {
  const { tables, layer } = await setup();
  tables.map4k(3, 4, 5, 6, 0x20_0000);
  const pt = tables.table(1, 3, 4, 5);
  tables.setEntry(pt, 7, 0x1234_5000n | RW); // present bit clear
  const vm = layer(false);
  assert.equal(await vm.translate(va(3, 4, 5, 6)), 0x20_0000);
  assert.deepEqual(await vm.translateMany([va(3, 4, 5, 7), va(3, 4, 6, 0), va(3, 5, 0, 0), va(4, 0, 0, 0)]), [null, null, null, null]);
  assert.equal((await vm.lookupMany([va(3, 4, 5, 7)]))[0]!.status, WalkStatus.notPresent);
});

test('Windows transition and prototype PTEs', async () => {
  const { tables, layer } = await setup();
  const pt = tables.table(1, 0, 0, 1);
  tables.setEntry(pt, 0, 0x4_1000n | TRANSITION | (4n << 5n)); // transition, protection bits set
  tables.setEntry(pt, 1, (0xffff_a000_1234_5678n & ~1n) | PROTOTYPE); // prototype PTE, valid clear
  tables.setEntry(pt, 2, 0x5_1000n | TRANSITION | PROTOTYPE); // both: a prototype, not a frame
  tables.setEntry(pt, 3, 0x0000_0001_2345_0080n); // pagefile entry
  // A page table in transition (PDE with valid clear, transition set) is followed in Windows mode.
  const pd = tables.table(2, 0, 0);
  const pt2 = tables.newTable();
  tables.setEntry(pd, 2, BigInt(pt2) | TRANSITION | (4n << 5n)); // bit 7 is protection here, not PS
  tables.setEntry(pt2, 9, 0x7_7000n | P);
  const addrs = [va(0, 0, 1, 0, 0x10), va(0, 0, 1, 1), va(0, 0, 1, 2), va(0, 0, 1, 3), va(0, 0, 2, 9, 0x20)];

  const win = await layer(true).lookupMany(addrs);
  assert.deepEqual(
    win.map((r) => [r.status, r.paddr]),
    [
      [WalkStatus.transition, 0x4_1010],
      [WalkStatus.prototype, null],
      [WalkStatus.prototype, null],
      [WalkStatus.notPresent, null],
      [WalkStatus.mapped, 0x7_7020],
    ],
  );
  assert.equal(win[1]!.entry, (0xffff_a000_1234_5678n & ~1n) | PROTOTYPE);

  const linux = await layer(false).lookupMany(addrs);
  assert.deepEqual(
    linux.map((r) => r.status),
    [WalkStatus.notPresent, WalkStatus.notPresent, WalkStatus.notPresent, WalkStatus.notPresent, WalkStatus.notPresent],
  );
});

test('entries pointing beyond physical memory are not present', async () => {
  const { tables, layer, phys, wasm } = await setup(4 << 20);
  const pd = tables.table(2, 0, 0);
  tables.setEntry(pd, 0, 0x4000_0000n | P | RW); // page table beyond 4 MiB
  tables.map4k(0, 0, 1, 0, 0x80_0000); // data frame beyond 4 MiB
  tables.map4k(0, 0, 1, 1, 0x3f_f000); // last page: fine
  tables.map2m(0, 0, 3, 0x20_0000); // 2 MiB page ending exactly at the end
  tables.map2m(0, 0, 4, 0x40_0000); // starts at the end
  const vm = layer(false);
  assert.deepEqual(await vm.translateMany([va(0, 0, 0, 0), va(0, 0, 1, 0), va(0, 0, 1, 1), va(0, 0, 3, 5), va(0, 0, 4, 0)]), [
    null,
    null,
    0x3f_f000,
    0x20_5000,
    null,
  ]);
  assert.deepEqual(await collect(vm), [
    { vaddr: va(0, 0, 1, 1), paddr: 0x3f_f000, length: KiB4 },
    { vaddr: va(0, 0, 3, 0), paddr: 0x20_0000, length: MiB2 },
  ]);
  const beyond = new VirtualLayer(phys, wasm, 0x100_0000, { windows: false });
  assert.equal(await beyond.translate(0n), null, 'DTB beyond physical memory');
  assert.deepEqual(await collect(beyond), []);
});

test('canonical high-half addresses and non-canonical addresses', async () => {
  const { tables, layer } = await setup();
  tables.map4k(0x1f0, 0, 0x91, 0x45, 0x12_3000);
  const vm = layer(true);
  const high = va(0x1f0, 0, 0x91, 0x45, 0x678);
  assert.equal(high, 0xfffff800_12245678n);
  assert.equal(await vm.translate(high), 0x12_3678);
  const [nc1, nc2] = await vm.lookupMany([0x0000_8000_0000_0000n, 0xffff_7fff_ffff_f000n]);
  assert.equal(nc1!.status, WalkStatus.nonCanonical);
  assert.equal(nc2!.status, WalkStatus.nonCanonical);
  assert.equal(await vm.translate(high & 0x0000_ffff_ffff_ffffn), null, 'the same bits without sign extension');
});

test('enumeration matches hand-computed runs', async () => {
  const { tables, layer } = await setup(64 << 20);
  // 4 KiB pages: three contiguous (one run), then a virtual gap, then two virtually contiguous but physically apart.
  tables.map4k(0, 0, 0, 1, 0x40_0000);
  tables.map4k(0, 0, 0, 2, 0x40_1000);
  tables.map4k(0, 0, 0, 3, 0x40_2000);
  tables.map4k(0, 0, 0, 5, 0x50_0000);
  tables.map4k(0, 0, 0, 6, 0x60_0000);
  // Last PTE of a PT followed by a 2 MiB page physically right after it: not merged.
  tables.map4k(0, 0, 0, 511, 0x7f_f000);
  tables.map2m(0, 0, 1, 0x80_0000);
  // 4 KiB pages crossing a page-table boundary, contiguous in both: merged.
  tables.map4k(0, 0, 2, 511, 0x90_0000);
  tables.map4k(0, 0, 3, 0, 0x90_1000);
  tables.map1g(0, 5, 0x0);
  tables.map4k(0x1ff, 0x1ff, 0x1ff, 0x1ff, 0xa0_0000); // the very last page of the address space
  const vm = layer(false);
  const expected: MappedRun[] = [
    { vaddr: va(0, 0, 0, 1), paddr: 0x40_0000, length: 3 * KiB4 },
    { vaddr: va(0, 0, 0, 5), paddr: 0x50_0000, length: KiB4 },
    { vaddr: va(0, 0, 0, 6), paddr: 0x60_0000, length: KiB4 },
    { vaddr: va(0, 0, 0, 511), paddr: 0x7f_f000, length: KiB4 },
    { vaddr: va(0, 0, 1, 0), paddr: 0x80_0000, length: MiB2 },
    { vaddr: va(0, 0, 2, 511), paddr: 0x90_0000, length: 2 * KiB4 },
    { vaddr: va(0, 5, 0, 0), paddr: 0, length: 64 << 20 }, // 1 GiB page, cut at the end of physical memory
    { vaddr: 0xffff_ffff_ffff_f000n, paddr: 0xa0_0000, length: KiB4 },
  ];
  assert.deepEqual(await collect(vm), expected);
  // A window starting inside the 3-page run and ending inside the 2 MiB page.
  assert.deepEqual(await collect(vm, va(0, 0, 0, 2, 0x800), va(0, 0, 1, 3)), [
    { vaddr: va(0, 0, 0, 2, 0x800), paddr: 0x40_1800, length: 2 * KiB4 - 0x800 },
    { vaddr: va(0, 0, 0, 5), paddr: 0x50_0000, length: KiB4 },
    { vaddr: va(0, 0, 0, 6), paddr: 0x60_0000, length: KiB4 },
    { vaddr: va(0, 0, 0, 511), paddr: 0x7f_f000, length: KiB4 },
    { vaddr: va(0, 0, 1, 0), paddr: 0x80_0000, length: 3 * KiB4 },
  ]);
  // The high half only; non-canonical bounds are clamped to the canonical hole.
  assert.deepEqual(await collect(vm, 0x0000_9000_0000_0000n), [expected[7]]);
  assert.deepEqual(await collect(vm, 0n, 0x1000_0000_0000_0000n), expected.slice(0, 7));
});

test('the low and high halves do not merge across the canonical hole', async () => {
  const { tables, layer } = await setup();
  tables.map4k(0xff, 0x1ff, 0x1ff, 0x1ff, 0x10_0000 - KiB4 + 0x40_0000);
  tables.map4k(0x100, 0, 0, 0, 0x40_0000 + 0x10_0000);
  assert.deepEqual(await collect(layer(false)), [
    { vaddr: 0x0000_7fff_ffff_f000n, paddr: 0x4f_f000, length: KiB4 },
    { vaddr: 0xffff_8000_0000_0000n, paddr: 0x50_0000, length: KiB4 },
  ]);
});

test('a self-referencing PML4 entry maps the tables themselves and enumeration terminates', async () => {
  const { tables, layer } = await setup();
  tables.map4k(0, 0, 0, 0, 0x40_0000);
  tables.map4k(0, 0, 0, 1, 0x40_1000);
  const pdpt = tables.table(3, 0);
  const pd = tables.table(2, 0, 0);
  const pt = tables.table(1, 0, 0, 0);
  const self = 0x1ed;
  tables.setEntry(tables.dtb, self, BigInt(tables.dtb) | P | RW);
  const vm = layer(true);
  assert.equal(va(self, self, self, self), 0xffff_f6fb_7dbe_d000n);
  assert.equal(await vm.translate(va(self, self, self, self, 8 * self)), tables.dtb + 8 * self);
  assert.deepEqual(await collect(vm), [
    { vaddr: 0n, paddr: 0x40_0000, length: 2 * KiB4 },
    { vaddr: va(self, 0, 0, 0), paddr: pt, length: KiB4 },
    { vaddr: va(self, self, 0, 0), paddr: pd, length: KiB4 },
    { vaddr: va(self, self, self, 0), paddr: pdpt, length: KiB4 },
    { vaddr: va(self, self, self, self), paddr: tables.dtb, length: KiB4 },
  ]);
});

test('hostile tables: a million entries through shared tables stay bounded and resumable', async () => {
  const { tables, layer } = await setup();
  // PDPT entries 0..3 → one PD whose 512 entries all → one empty PT: 4 × 512 × 512 PTEs to visit.
  const pdpt = tables.table(3, 0);
  const pd = tables.newTable();
  const pt = tables.newTable();
  for (let i = 0; i < 4; i++) tables.setEntry(pdpt, i, BigInt(pd) | P);
  for (let i = 0; i < 512; i++) tables.setEntry(pd, i, BigInt(pt) | P);
  tables.map4k(0, 4, 0, 7, 0x40_0000);
  const started = performance.now();
  assert.deepEqual(await collect(layer(false)), [{ vaddr: va(0, 4, 0, 7), paddr: 0x40_0000, length: KiB4 }]);
  assert.ok(performance.now() - started < 2000, 'bounded time');
});

test('hostile tables: one full page table shared 2048 times gives 2048 runs over several calls', async () => {
  const { tables, layer } = await setup();
  const pdpt = tables.table(3, 0);
  const pd = tables.newTable();
  const pt = tables.newTable();
  for (let i = 0; i < 4; i++) tables.setEntry(pdpt, i, BigInt(pd) | P);
  for (let i = 0; i < 512; i++) tables.setEntry(pd, i, BigInt(pt) | P);
  for (let i = 0; i < 512; i++) tables.setEntry(pt, i, BigInt(0x80_0000 + i * KiB4) | P);
  // Each PT copy restarts at the same frames, so runs break at every PD entry.
  const runs = await collect(layer(false));
  assert.equal(runs.length, 4 * 512);
  assert.ok(
    runs.every((r, i) => r.vaddr === BigInt(i) * BigInt(MiB2) && r.paddr === 0x80_0000 && r.length === MiB2),
    'one 2 MiB run per PD entry',
  );
});

test('more table pages than the cache holds: batch translation and enumeration stay correct', async () => {
  const { tables, layer, cache } = await setup(16 << 20, 8);
  const expected: MappedRun[] = [];
  const addrs: bigint[] = [];
  const frames: number[] = [];
  // 3 PDPTs × 4 PDs × 5 PTs = 60 page tables, each with two pages mapped apart.
  for (let i4 = 0; i4 < 3; i4++) {
    for (let i3 = 0; i3 < 4; i3++) {
      for (let i2 = 0; i2 < 5; i2++) {
        const n = (i4 * 4 + i3) * 5 + i2;
        const frame = 0x80_0000 + n * 0x2000;
        tables.map4k(i4, i3, i2 * 7, 3, frame);
        tables.map4k(i4, i3, i2 * 7, 5, frame + KiB4);
        expected.push({ vaddr: va(i4, i3, i2 * 7, 3), paddr: frame, length: KiB4 });
        expected.push({ vaddr: va(i4, i3, i2 * 7, 5), paddr: frame + KiB4, length: KiB4 });
        addrs.push(va(i4, i3, i2 * 7, 5, n), va(i4, i3, i2 * 7, 4));
        frames.push(frame + KiB4 + n);
      }
    }
  }
  const vm = layer(false);
  const got = await vm.translateMany(addrs);
  assert.deepEqual(
    got,
    frames.flatMap((f) => [f, null]),
  );
  assert.ok(cache.stats.clears > 1, 'the cache was emptied on the way');
  assert.deepEqual(await collect(vm), expected);
});

test('table pages are read in one batch per level', async () => {
  const { tables, layer, cache, phys } = await setup();
  const addrs: bigint[] = [];
  for (let i = 0; i < 40; i++) {
    tables.map4k(2, 3, i, 0, 0x80_0000 + i * KiB4);
    addrs.push(va(2, 3, i, 0));
  }
  const readsBefore = phys.reads;
  const got = await layer(false).translateMany(addrs);
  assert.deepEqual(
    got,
    addrs.map((_, i) => 0x80_0000 + i * KiB4),
  );
  assert.equal(cache.stats.batches, 4, 'PML4, PDPT, PD, then all 40 PTs');
  // The 40 PTs were allocated consecutively: they come in with one physical read.
  assert.equal(phys.reads - readsBefore, 4);
});

test('read, readPadded and the small readers across page boundaries', async () => {
  const { tables, layer, mem } = await setup();
  tables.map4k(0, 0, 0, 0x10, 0x40_0000);
  tables.map4k(0, 0, 0, 0x11, 0x50_0000); // next virtual page, physically elsewhere
  tables.map4k(0, 0, 0, 0x21, 0x60_0000); // preceded by an unmapped page
  for (let i = 0; i < KiB4; i++) {
    mem[0x40_0000 + i] = i & 0xff;
    mem[0x50_0000 + i] = (i + 0x80) & 0xff;
    mem[0x60_0000 + i] = 0xa0 ^ (i & 0xff);
  }
  const vm = layer(false);
  const base = va(0, 0, 0, 0x10);
  assert.deepEqual(await vm.read(base + 0xffcn, 8), Uint8Array.of(0xfc, 0xfd, 0xfe, 0xff, 0x80, 0x81, 0x82, 0x83));
  assert.equal(await vm.readU32(base + 0xffen), 0x8180_fffe);
  assert.equal(await vm.readU16(base + 2n), 0x0302);
  assert.equal(await vm.readU64(base + 8n), 0x0f0e_0d0c_0b0a_0908n);

  // Mapped then unmapped.
  const tail = base + 0x1ffan;
  assert.equal(await vm.read(tail, 12), null);
  assert.deepEqual(await vm.readPadded(tail, 12), Uint8Array.of(0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0, 0, 0, 0, 0, 0));
  // Unmapped then mapped.
  const head = va(0, 0, 0, 0x21) - 3n;
  assert.equal(await vm.readU64(head), null);
  assert.deepEqual(await vm.readPadded(head, 6), Uint8Array.of(0, 0, 0, 0xa0, 0xa1, 0xa2));
  assert.equal(await vm.isMapped(head), false);
  assert.equal(await vm.isMapped(head + 3n), true);
  // Off the top of the address space: unmapped, not an error.
  assert.deepEqual(await vm.readPadded(0xffff_ffff_ffff_fffen, 4), new Uint8Array(4));
  assert.deepEqual(await vm.read(base, 0), new Uint8Array(0));
  await assert.rejects(vm.read(base, -1), (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST');
});

test('enumeration can be cancelled', async () => {
  const { tables, layer } = await setup();
  tables.map4k(0, 0, 0, 0, 0x40_0000);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    (async () => {
      for await (const _ of layer(false).mappedRuns(0n, 1n << 64n, { signal: controller.signal })) void _;
    })(),
    (e) => isMemscopeError(e) && e.code === 'CANCELLED',
  );
});
