// VMware suspended state: a .vmem with its .vmss/.vmsn (or the memory inside the state file), written by the test's
// own writer (test/helpers/vmware-writer.ts) and checked against Volatility 3's vmware layer reading the same pair.
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { NodeCompanions } from '../../src/node/node-companions.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';
import { extractVolatility, PYTHON, run, volatilitySkipReason } from '../helpers/volatility.ts';
import { buildVmwareState, PAGE, regionTags, VMSS_MAGIC_V0, vmwareState, type VmwareRegionSpec, type VmwareTag } from '../helpers/vmware-writer.ts';

const GiB = 1024 ** 3;
/** Below the PCI hole: 3 GiB; above it, 8 MiB from 4 GiB. The .vmem holds them back to back. */
const LOW_PAGES = (3 * GiB) / PAGE;
const HIGH_PAGES = 2048;
const SPLIT: VmwareRegionSpec[] = [
  { physicalPage: 0, filePage: 0, pages: LOW_PAGES },
  { physicalPage: (4 * GiB) / PAGE, filePage: LOW_PAGES, pages: HIGH_PAGES },
];
const VMEM_BYTES = (LOW_PAGES + HIGH_PAGES) * PAGE;
/** Marked pages: .vmem offset → fill byte (the rest of the sparse file reads as zeros). */
const MARKS: readonly (readonly [offset: number, fill: number])[] = [
  [0, 0x11],
  [3 * GiB - PAGE, 0x22],
  [3 * GiB, 0x33],
  [3 * GiB + 5 * PAGE, 0x44],
  [VMEM_BYTES - PAGE, 0x55],
];
/** Physical reads: the first page, the last page below the hole, into the hole, the first page above it, its end. */
const READS: readonly (readonly [address: number, length: number])[] = [
  [0, 16],
  [3 * GiB - 8, 16],
  [3 * GiB + 123, 32],
  [4 * GiB - 8, 16],
  [4 * GiB + 5 * PAGE - 4, 8],
  [4 * GiB + HIGH_PAGES * PAGE - 8, 16],
];

/** The bytes a physical read of the split layout gives, from the marks (what the writer put where). */
function expected(address: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const physical = address + i;
    const region = SPLIT.find((r) => physical >= r.physicalPage * PAGE && physical < (r.physicalPage + r.pages) * PAGE);
    if (!region) continue;
    const offset = physical - region.physicalPage * PAGE + region.filePage * PAGE;
    const mark = MARKS.find(([at]) => offset >= at && offset < at + PAGE);
    out[i] = mark?.[1] ?? 0;
  }
  return out;
}

/** A sparse .vmem of the split layout with its marked pages. */
function writeVmem(path: string): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, VMEM_BYTES);
  for (const [offset, fill] of MARKS) writeSync(fd, new Uint8Array(PAGE).fill(fill), 0, PAGE, offset);
  closeSync(fd);
}

/** Opens `path` as memscope's CLI does: companions beside it, or named. */
async function open(path: string, named: string[] = []): Promise<{ layer: PhysicalLayer; close: () => Promise<void> }> {
  const source = await NodeFileSource.open(path);
  const companions = new NodeCompanions(path, named);
  const close = async () => {
    await source.close();
    await companions.close();
  };
  try {
    return { layer: await openImage(source, { companions }), close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function opened<T>(path: string, use: (layer: PhysicalLayer) => Promise<T> | T, named: string[] = []): Promise<T> {
  const { layer, close } = await open(path, named);
  try {
    return await use(layer);
  } finally {
    await close();
  }
}

/** Volatility 3's VmwareLayer over a .vmem and its state file: its segments and the bytes of each read. */
const VOLATILITY_LAYER = `
import sys, json
sys.path.insert(0, sys.argv[1])
from volatility3.framework import contexts
from volatility3.framework.layers import physical, vmware
ctx = contexts.Context()
for name, path in (('base', sys.argv[2]), ('meta', sys.argv[3])):
    ctx.config[name + '.location'] = 'file://' + path
    ctx.layers.add_layer(physical.FileLayer(ctx, name, name))
ctx.config['vm.base_layer'] = 'base'
ctx.config['vm.meta_layer'] = 'meta'
layer = vmware.VmwareLayer(ctx, 'vm', 'vm')
reads = json.loads(sys.argv[4])
print(json.dumps({'segments': [list(s[:3]) for s in layer._segments], 'reads': [layer.read(a, n, pad=True).hex() for a, n in reads]}))
`;

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('VMware: a .vmem and its .vmss, memory above the 3-4 GiB hole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vmware-'));
  const vmem = join(dir, 'guest.vmem');
  before(() => {
    writeVmem(vmem);
    writeFileSync(join(dir, 'guest.vmss'), vmwareState(SPLIT));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('-f X.vmem finds X.vmss beside it: the regions are the runs, reads land across the hole', async () => {
    await opened(vmem, async (layer) => {
      assert.equal(layer.format, 'vmware');
      assert.deepEqual(layer.warnings, []);
      assert.deepEqual(
        layer.runs,
        SPLIT.map((r) => ({ start: r.physicalPage * PAGE, length: r.pages * PAGE, fileOffset: r.filePage * PAGE })),
      );
      assert.equal(layer.size, 4 * GiB + HIGH_PAGES * PAGE);
      assert.equal(layer.capturedBytes, VMEM_BYTES);
      for (const [address, length] of READS) assert.deepEqual(await layer.read(address, length), expected(address, length), `at ${address}`);
      assert.deepEqual(
        new Map(layer.details),
        new Map([
          ['State file', 'guest.vmss'],
          ['Memory file', 'guest.vmem'],
          ['VMware regions', '2'],
        ]),
      );
    });
  });

  it('the reads and the regions are what Volatility 3’s vmware layer makes of the same pair', { skip: volatilitySkipReason() }, async () => {
    const volDir = mkdtempSync(join(tmpdir(), 'memscope-vol-'));
    try {
      extractVolatility(volDir);
      const r = await run(PYTHON, ['-c', VOLATILITY_LAYER, join(volDir, 'volatility3'), vmem, join(dir, 'guest.vmss'), JSON.stringify(READS)]);
      assert.equal(r.code, 0, r.stderr);
      const vol = JSON.parse(r.stdout) as { segments: [number, number, number][]; reads: string[] };
      await opened(vmem, async (layer) => {
        assert.deepEqual(
          vol.segments,
          layer.runs.map((run) => [run.start, run.fileOffset, run.length]),
        );
        const ours = await Promise.all(READS.map(([a, n]) => layer.read(a, n).then(hexOf)));
        assert.deepEqual(ours, vol.reads);
        assert.ok(
          vol.reads.some((h) => /[1-9a-f]/.test(h)),
          'the reads hit marked pages',
        );
      });
    } finally {
      rmSync(volDir, { recursive: true, force: true });
    }
  });

  it('-f X.vmss opens the pair when the .vmem is beside it; a .vmsn is found as well', async () => {
    await opened(join(dir, 'guest.vmss'), async (layer) => {
      assert.equal(layer.format, 'vmware');
      assert.equal(layer.source.name, 'guest.vmem');
      assert.deepEqual(await layer.read(4 * GiB, 4), Uint8Array.of(0x33, 0x33, 0x33, 0x33));
    });
    const other = join(dir, 'snap');
    mkdirSync(other, { recursive: true });
    writeVmem(join(other, 'snap.vmem'));
    writeFileSync(join(other, 'snap.vmsn'), vmwareState(SPLIT));
    await opened(join(other, 'snap.vmem'), (layer) => assert.deepEqual(new Map(layer.details).get('State file'), 'snap.vmsn'));
  });

  it('a state file named explicitly (--vmss) is used instead of the one beside the .vmem', async () => {
    const elsewhere = join(dir, 'elsewhere.vmsn');
    writeFileSync(elsewhere, vmwareState([{ physicalPage: 16, filePage: 0, pages: 1 }]));
    await opened(vmem, (layer) => assert.deepEqual(layer.runs, [{ start: 16 * PAGE, length: PAGE, fileOffset: 0 }]), [elsewhere]);
  });

  it('a .vmem alone is raw memory, with a warning that memory above a hole may be misplaced', async () => {
    const lone = join(dir, 'lone.vmem');
    writeVmem(lone);
    await opened(lone, (layer) => {
      assert.equal(layer.format, 'raw');
      assert.deepEqual(layer.runs, [{ start: 0, length: VMEM_BYTES, fileOffset: 0 }]);
      assert.equal(layer.warnings.length, 1);
      assert.match(layer.warnings[0]!, /no \.vmss or \.vmsn .*lone\.vmem.*misplaced/);
    });
  });

  it('a state file stating one region, or none, gives the flat .vmem without a warning', async () => {
    for (const [name, regions] of [
      ['one', [{ physicalPage: 0, filePage: 0, pages: 4 }]],
      ['none', undefined],
    ] as const) {
      const sub = join(dir, name);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, 'g.vmem'), new Uint8Array(4 * PAGE).fill(7));
      writeFileSync(join(sub, 'g.vmss'), vmwareState(regions));
      await opened(join(sub, 'g.vmem'), async (layer) => {
        assert.equal(layer.format, 'vmware', name);
        assert.deepEqual(layer.warnings, [], name);
        assert.deepEqual(layer.runs, [{ start: 0, length: 4 * PAGE, fileOffset: 0 }], name);
      });
    }
  });

  it('a lone .vmss without memory says it needs its .vmem', async () => {
    const lone = join(dir, 'orphan.vmss');
    writeFileSync(lone, vmwareState(SPLIT));
    await rejectsWith(open(lone), 'UNSUPPORTED', 'orphan.vmss', 'needs its .vmem');
  });
});

describe('VMware: memory inside the state file (a "Memory" block)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vmsn-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const memory = new Uint8Array(6 * PAGE).map((_, i) => (i * 7 + (i >> 12)) & 0xff);

  it('a .vmsn holding its memory opens alone: regions count pages into the block, after its padding', async () => {
    const regions = [
      { physicalPage: 0, filePage: 0, pages: 2 },
      { physicalPage: 0x100000, filePage: 2, pages: 4 },
    ];
    for (const magic of [undefined, VMSS_MAGIC_V0]) {
      const path = join(dir, `snap-${magic ?? 'v2'}.vmsn`);
      writeFileSync(path, vmwareState(regions, { memory, memoryPadding: 123, magic }));
      await opened(path, async (layer) => {
        assert.equal(layer.format, 'vmware');
        assert.equal(layer.source.name, `snap-${magic ?? 'v2'}.vmsn`);
        assert.deepEqual(await layer.read(0, 2 * PAGE), memory.subarray(0, 2 * PAGE));
        assert.deepEqual(await layer.read(0x100000 * PAGE, 4 * PAGE), memory.subarray(2 * PAGE));
        assert.deepEqual(await layer.read(2 * PAGE, 16), new Uint8Array(16), 'the hole reads as zeros');
      });
    }
  });

  it('without regions the block is the memory from address 0', async () => {
    const path = join(dir, 'flat.vmss');
    writeFileSync(path, vmwareState(undefined, { memory }));
    await opened(path, async (layer) => {
      assert.deepEqual(
        layer.runs.map((r) => [r.start, r.length]),
        [[0, memory.length]],
      );
      assert.deepEqual(await layer.read(0, memory.length), memory);
    });
  });
});

describe('VMware: hostile state files give a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vmss-bad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  /** Opens a 16-page .vmem with this state file beside it. */
  async function pairWith(state: Uint8Array): Promise<PhysicalLayer> {
    const sub = join(dir, String(n++));
    mkdirSync(sub);
    writeFileSync(join(sub, 'g.vmem'), new Uint8Array(16 * PAGE));
    writeFileSync(join(sub, 'g.vmss'), state);
    const { layer, close } = await open(join(sub, 'g.vmem'));
    await close();
    return layer;
  }
  const memoryGroup = (tags: VmwareTag[]) => buildVmwareState([{ name: 'memory', tags }]);
  const region = (physicalPage: number, filePage: number, pages: number) => ({ physicalPage, filePage, pages });

  it('bad magic', async () => {
    const state = vmwareState([region(0, 0, 16)]);
    state[0] = 0x42;
    await rejectsWith(pairWith(state), 'CORRUPT', 'g.vmss', 'magic');
  });

  it('a group count far beyond any real file, or a table past its end', async () => {
    await rejectsWith(pairWith(buildVmwareState([{ name: 'memory', tags: [] }], { groupCount: 0xffffffff })), 'CORRUPT', 'groups');
    await rejectsWith(pairWith(buildVmwareState([{ name: 'memory', tags: [] }], { groupCount: 1000 })), 'TRUNCATED', 'table of 1000 groups');
  });

  it('no memory group', async () => {
    await rejectsWith(pairWith(buildVmwareState([{ name: 'cpu', tags: [] }])), 'CORRUPT', 'no "memory" group');
  });

  it('a huge regionsCount, or a region index beyond it', async () => {
    await rejectsWith(pairWith(memoryGroup([{ name: 'regionsCount', value: 0x7fffffff }])), 'CORRUPT', 'regionsCount');
    await rejectsWith(pairWith(memoryGroup([{ name: 'regionPPN', indices: [0x10000000], value: 0 }])), 'CORRUPT', 'regionPPN');
    await rejectsWith(
      pairWith(memoryGroup([{ name: 'regionsCount', value: 2 }, ...regionTags([region(0, 0, 1)]).slice(1)])),
      'CORRUPT',
      'region 1 of 2',
    );
  });

  it('a tag running past its group, or a group without its end tag', async () => {
    const state = memoryGroup(regionTags([region(0, 0, 16)]));
    await rejectsWith(pairWith(state.subarray(0, state.length - 7)), 'CORRUPT', 'past the end of its group');
    const huge = memoryGroup([{ name: 'blob', block: new Uint8Array(8) }]);
    new DataView(huge.buffer).setBigUint64(12 + 80 + 2 + 4, 1n << 50n, true); // the block's size on disk
    await rejectsWith(pairWith(huge), 'CORRUPT', 'block "blob"');
  });

  it('regions overlapping in physical memory or in the .vmem, or starting beyond the .vmem', async () => {
    await rejectsWith(pairWith(vmwareState([region(0, 0, 8), region(4, 8, 8)])), 'CORRUPT', 'regions 0 and 1 overlap in physical memory');
    await rejectsWith(pairWith(vmwareState([region(0, 0, 8), region(100, 4, 8)])), 'CORRUPT', 'regions 0 and 1 overlap in g.vmem');
    await rejectsWith(pairWith(vmwareState([region(0, 0, 8), region(100, 16, 1)])), 'CORRUPT', 'region 1', 'beyond the end of g.vmem');
  });

  it('a region the .vmem ends inside (a truncated copy) is cut, with a warning', async () => {
    const layer = await pairWith(vmwareState([region(0, 0, 8), region(0x100000, 8, 16)]));
    assert.deepEqual(
      layer.runs.map((r) => r.length),
      [8 * PAGE, 8 * PAGE],
    );
    assert.match(layer.warnings.join('\n'), /file is truncated.*1 region\(s\) incomplete/);
  });

  it('a compressed Memory block is refused as unsupported', async () => {
    const sub = join(dir, 'compressed.vmsn');
    writeFileSync(sub, memoryGroup([{ name: 'Memory', indices: [0, 0], block: new Uint8Array(PAGE), compressed: true }]));
    await rejectsWith(open(sub), 'UNSUPPORTED', 'compressed');
  });
});

describe('VMware: a generated Windows image whose .vmem holds its upper half first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-vmware-win-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pslist, dlllist and handles through the pair give the raw image’s rows; the .vmem alone warns and misplaces the page tables', async () => {
    const { image, expected } = await windowsImage({ size: 32 * 1024 * 1024, seed: 7 });
    const half = image.length / 2;
    const vmem = join(dir, 'win.vmem');
    writeFileSync(vmem, Buffer.concat([image.subarray(half), image.subarray(0, half)]));
    writeFileSync(
      join(dir, 'win.vmss'),
      vmwareState([
        { physicalPage: 0, filePage: half / PAGE, pages: half / PAGE },
        { physicalPage: half / PAGE, filePage: 0, pages: half / PAGE },
      ]),
    );
    const env = await createNodeEnv({ symbolDirs: [REPO_SYMBOLS], cache: false });
    const session = await openSession(await NodeFileSource.open(vmem), env, new NodeCompanions(vmem));
    const pairFingerprint = session.fingerprint;
    try {
      assert.equal(session.summary.os, 'windows');
      assert.equal(session.summary.dtb, expected.kernel.dtb);
      // The same rows as the raw image gives (windows-plugins.test.ts checks those against the generator).
      const raw = await openWindowsSession(image);
      for (const plugin of ['windows.pslist', 'windows.dlllist', 'windows.handles']) {
        const [pair, flat] = [await collectRun(session, plugin), await collectRun(raw, plugin)];
        assert.deepEqual(pair, flat, plugin);
        assert.ok(pair.rows.length >= expected.processes.filter((p) => p.linked).length, `${plugin}: ${pair.rows.length} rows`);
      }
      await raw.close();
    } finally {
      await session.close();
    }
    rmSync(join(dir, 'win.vmss'));
    const alone = await openSession(await NodeFileSource.open(vmem), env, new NodeCompanions(vmem));
    try {
      assert.notEqual(alone.summary.dtb, expected.kernel.dtb, 'the halves swapped put the page tables elsewhere');
      assert.match(alone.summary.warnings.join('\n'), /misplaced/);
      assert.notEqual(alone.fingerprint, pairFingerprint, 'what is found in the pair is not reused for the .vmem alone');
    } finally {
      await alone.close();
    }
  });
});
