/**
 * windows.vadinfo and windows.malfind on generated images of each Windows kernel: every linked process's VAD tree
 * (pool tags, protections, commit, parents, mapped files) and the injected code malfind must find, against
 * expected.json — and hostile trees (a child looping back to an ancestor, a tree deeper than the cap, a node in
 * unmapped memory): partial rows and one warning, never a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VirtualMemory } from '../../src/plugins/api.ts';
import type { RunWarning } from '../../src/plugins/plugin.ts';
import type { WindowsKernel } from '../../src/os/windows/windows-kernel.ts';
import { vadTree, type VadNode } from '../../src/os/windows/vad-tree.ts';
import { hexdump } from '../../src/plugins/common/code-preview.ts';
import type { ExpectedProcess, ExpectedVad } from '../fixtures/windows/expected.ts';
import { llvmDisassembly, needLlvm, parseDisasm } from '../helpers/llvm-disassembly.ts';
import { WINDOWS_KERNELS } from '../helpers/windows-kernels.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

const SIZE = 24 * 1024 * 1024;

/** PID, Process, Offset, Start VPN, End VPN, Tag, Protection, CommitCharge, PrivateMemory, Parent, File, File output. */
const vadRow = (p: ExpectedProcess, v: ExpectedVad): unknown[] => [
  p.pid,
  p.name,
  BigInt(v.node),
  BigInt(v.start),
  BigInt(v.end),
  v.tag,
  v.protection,
  v.commitCharge,
  v.privateMemory,
  BigInt(v.parent),
  v.file,
  'Disabled',
];

const vadRows = (processes: readonly ExpectedProcess[], keep: (v: ExpectedVad) => boolean = () => true): unknown[][] =>
  processes.filter((p) => p.linked).flatMap((p) => (p.vads ?? []).filter(keep).map((v) => vadRow(p, v)));

const values = (rows: readonly { values: readonly unknown[] }[]): unknown[][] => rows.map((r) => [...r.values]);

for (const kernel of WINDOWS_KERNELS) {
  describe(`windows.vadinfo and windows.malfind on a generated ${kernel.name} image`, { skip: kernel.skip }, () => {
    const image = () => windowsImage({ size: SIZE, seed: 11, isfPath: kernel.isfPath });
    const session = async () => openWindowsSession((await image()).image, { symbolDirs: [kernel.symbolDir] });

    it('windows.vadinfo lists each linked process’s VAD tree, exactly', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.vadinfo');
      assert.deepEqual(values(rows), vadRows(expected.processes));
      assert.ok(
        rows.some((r) => r.values[5] === 'Vad ' && typeof r.values[10] === 'string'),
        'image views name their file',
      );
      assert.deepEqual(warnings, []);
    });

    it('windows.vadinfo --pid and --address filter', async () => {
      const { expected } = await image();
      const s = await session();
      const [a, b] = expected.processes.filter((p) => p.linked && p.vads);
      assert.deepEqual(values((await collectRun(s, 'windows.vadinfo', { pid: [a!.pid, b!.pid] })).rows), vadRows([a!, b!]));
      const target = a!.vads![3]!;
      const inside = BigInt(target.start) + 0x123n;
      const byAddress = (await collectRun(s, 'windows.vadinfo', { address: Number(inside) })).rows;
      assert.deepEqual(
        values(byAddress),
        vadRows(expected.processes, (v) => BigInt(v.start) <= inside && inside <= BigInt(v.end)),
      );
      assert.ok(byAddress.some((r) => r.values[0] === a!.pid));
    });

    it('windows.malfind finds exactly the injected PE image, with Volatility’s hexdump', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.malfind');
      const want = expected.processes.filter((p) => p.linked).flatMap((p) => (p.malfind ?? []).map((m) => ({ p, m })));
      assert.equal(want.length, 1);
      // Every column but Disasm (the next test's).
      assert.deepEqual(
        values(rows).map((r) => r.slice(0, 11)),
        want.map(({ p, m }) => {
          const v = p.vads!.find((x) => x.start === m.start)!;
          const data = Buffer.from(m.first64, 'hex');
          return [
            p.pid,
            p.name,
            BigInt(m.start),
            BigInt(m.end),
            'VadS',
            'PAGE_EXECUTE_READWRITE',
            v.commitCharge,
            1,
            'Disabled',
            'MZ header',
            hexdump(data),
          ];
        }),
      );
      assert.equal(String(rows[0]!.values[10]).split('\n')[1], '4d 5a 90 00 03 00 00 00 04 00 00 00 ff ff 00 00 MZ..............');
      assert.deepEqual(warnings, []);
      const other = expected.processes.find((p) => p.linked && p.vads && p.pid !== want[0]!.p.pid)!;
      assert.deepEqual((await collectRun(await session(), 'windows.malfind', { pid: [other.pid] })).rows, []);
    });

    it('windows.malfind disassembles the first 64 bytes as 64-bit code, up to bytes that do not decode', async () => {
      const { expected } = await image();
      const { rows, warnings } = await collectRun(await session(), 'windows.malfind');
      const [m] = expected.processes.flatMap((p) => (p.linked && p.malfind) || []);
      const disasm = String(rows[0]!.values[11]);
      // 4d 5a ("MZ") is REX.WRB + pop: `pop r10`, Volatility's first line for an injected PE image.
      assert.ok(disasm.startsWith(`\n${m!.start}:\tpop\tr10\n`), JSON.stringify(disasm));
      assert.deepEqual(warnings, []);
    });

    it('windows.malfind’s disassembly is LLVM’s (llvm-objdump on the same bytes)', { skip: needLlvm() }, async () => {
      const { expected } = await image();
      const { rows } = await collectRun(await session(), 'windows.malfind');
      const [m] = expected.processes.flatMap((p) => (p.linked && p.malfind) || []);
      const want = llvmDisassembly(Buffer.from(m!.first64, 'hex'), BigInt(m!.start));
      assert.ok(want.length > 1 && want.length < 16, 'the listing ends at ff ff, the DOS header’s e_cp…e_maxalloc');
      assert.deepEqual(parseDisasm(String(rows[0]!.values[11])), want);
    });
  });
}

describe('hostile VAD trees: partial rows and one warning, never a hang', () => {
  const image = () => windowsImage({ size: SIZE, seed: 11 });

  /** The image with `patch` applied to the physical bytes behind kernel addresses, and the process with the most VADs. */
  async function patched(
    patch: (write: (va: bigint, value: bigint) => void, vads: readonly ExpectedVad[], k: WindowsKernel) => Promise<void> | void,
  ) {
    const { image: bytes, expected } = await image();
    const p = expected.processes.filter((q) => q.linked && q.vads).sort((a, b) => b.vads!.length - a.vads!.length)[0]!;
    const copy = bytes.slice();
    const k = (await (await openWindowsSession(bytes)).kernel('windows')) as WindowsKernel;
    const pending: Promise<void>[] = [];
    const write = (va: bigint, value: bigint): void => {
      pending.push(
        k.vm.translate(va).then((pa) => {
          assert.ok(pa !== null);
          new DataView(copy.buffer).setBigUint64(pa, value, true);
        }),
      );
    };
    await patch(write, p.vads!, k);
    await Promise.all(pending);
    const run = await collectRun(await openWindowsSession(copy), 'windows.vadinfo', { pid: [p.pid] });
    return { p, ...run };
  }

  const leftOffset = (k: WindowsKernel): bigint => BigInt(k.layout.offset('_MMVAD_SHORT', 'VadNode.Left'));
  const rightOffset = (k: WindowsKernel): bigint => BigInt(k.layout.offset('_MMVAD_SHORT', 'VadNode.Right'));
  const codes = (warnings: readonly RunWarning[]): string[] => warnings.map((w) => w.code);

  it('a child pointer looping back to the root: every node once, one SMEAR warning', async () => {
    const { p, rows, warnings } = await patched((write, vads, k) => {
      const leaf = vads[vads.length - 1]!; // pre-order: the last is a leaf
      write(BigInt(leaf.node) + leftOffset(k), BigInt(vads[0]!.node));
    });
    assert.deepEqual(values(rows), vadRows([p]));
    assert.deepEqual(codes(warnings), ['SMEAR']);
  });

  it('a node in unmapped memory: its subtree is lost, the rest listed, one UNREADABLE warning', async () => {
    const { p, rows, warnings } = await patched(async (write, vads, k) => {
      const nowhere = 0xffff_c000_0000_0000n;
      assert.equal(await k.vm.translate(nowhere), null);
      write(BigInt(vads[0]!.node) + leftOffset(k), nowhere);
    });
    const leftSize = (p.vads!.length - 1) >> 1;
    assert.deepEqual(values(rows), [vadRow(p, p.vads![0]!), ...p.vads!.slice(1 + leftSize).map((v) => vadRow(p, v))]);
    assert.deepEqual(codes(warnings), ['UNREADABLE']);
  });

  it('a child outside the kernel: SMEAR, the rest listed', async () => {
    const { p, rows, warnings } = await patched((write, vads, k) => write(BigInt(vads[0]!.node) + rightOffset(k), 0x7ff6_0000_0000n));
    const leftSize = (p.vads!.length - 1) >> 1;
    assert.deepEqual(
      values(rows),
      p.vads!.slice(0, 1 + leftSize).map((v) => vadRow(p, v)),
    );
    assert.deepEqual(codes(warnings), ['SMEAR']);
  });

  it('a chain deeper than the cap: the first 65 levels, one LIMIT warning', async () => {
    const { image: bytes } = await image();
    const s = await openWindowsSession(bytes);
    const k = (await s.kernel('windows')) as WindowsKernel;
    // 200 nodes, each the left child of the one before, served from a fake kernel space layered over the real one.
    const base = 0xffff_c100_0000_0000n;
    const stride = 0x100n;
    const size = k.layout.size('_MMVAD_SHORT');
    const fake = new Map<bigint, Uint8Array>();
    for (let i = 0n; i < 200n; i++) {
      const block = new Uint8Array(16 + size);
      block.set([0x56, 0x61, 0x64, 0x53], 4); // 'VadS'
      const dv = new DataView(block.buffer);
      const at = (path: string): number => 16 + k.layout.offset('_MMVAD_SHORT', path);
      dv.setBigUint64(at('VadNode.Left'), i < 199n ? base + (i + 1n) * stride : 0n, true);
      dv.setBigUint64(at('VadNode.ParentValue'), i === 0n ? 0n : base + (i - 1n) * stride, true);
      dv.setUint32(at('StartingVpn'), Number(0x1000n - i), true);
      dv.setUint32(at('EndingVpn'), Number(0x1000n - i), true);
      fake.set(base + i * stride - 16n, block);
    }
    const vm: VirtualMemory = {
      read: async (address, length) => {
        for (const [at, block] of fake)
          if (address >= at && address + BigInt(length) <= at + BigInt(block.length))
            return block.slice(Number(address - at), Number(address - at) + length);
        return k.vm.read(address, length);
      },
      readU32: (a) => k.vm.readU32(a),
      readU64: (a) => k.vm.readU64(a),
      translate: (a) => k.vm.translate(a),
      mappedRuns: (start, end, opts) => k.vm.mappedRuns(start, end, opts),
    };
    const kernel = Object.assign(Object.create(k) as WindowsKernel, { vm });
    const process = { view: { has: () => true, u64: () => base } } as unknown as Parameters<typeof vadTree>[1];
    const warnings: RunWarning[] = [];
    const nodes: VadNode[] = [];
    for await (const v of vadTree(kernel, process, (w) => warnings.push(w))) nodes.push(v);
    assert.equal(nodes.length, 65);
    assert.equal(nodes[64]!.parent, base + 63n * stride);
    assert.deepEqual(codes(warnings), ['LIMIT']);
  });
});
