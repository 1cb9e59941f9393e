// The real Linux capture with its kallsyms tables smeared: analysis goes on from VMCOREINFO, BTF and a search of the
// kernel image (issue 20, "no single point of failure"), and says what is degraded.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { kernelIsfText } from '../../src/os/linux/isf-export.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import type { Cell } from '../../src/plugins/plugin.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { openLinuxSession, runByColumn } from '../helpers/linux-session.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';
import { untracked } from '../helpers/untracked.ts';

interface KernelTruth {
  readonly text_virt: string;
  readonly text_phys: string;
  readonly kallsyms_selected: Readonly<Record<string, string>>;
}

const skip = linuxFixtureSkipReason();
const DEGRADED =
  /^kallsyms tables unreadable at 0x[0-9a-f]+ \(.+\): symbols from VMCOREINFO and recovered by scan \(init_task, modules\); plugins needing other symbols will fail$/;

/** The raw capture with every kallsyms table (offsets, relative base, count, names, markers, token table and index) zeroed. */
async function smearedCapture(): Promise<Uint8Array> {
  const truth = linuxTruth();
  const kernel = truth['kernel'] as KernelTruth;
  // Kernel text, rodata and data are mapped linearly: physical = virtual - text_virt + text_phys.
  const physical = (symbol: string) =>
    Number(BigInt(`0x${truth.vmcoreinfo.fields[`SYMBOL(${symbol})`]}`) - BigInt(kernel.text_virt) + BigInt(kernel.text_phys));
  const bytes = new Uint8Array(await readFile(await linuxFixtureFile('linux-a.raw')));
  // scripts/kallsyms.c lays the tables out from kallsyms_offsets to kallsyms_token_index (256 u16 entries).
  bytes.fill(0, physical('kallsyms_offsets'), physical('kallsyms_token_index') + 512);
  return bytes;
}

const processKey = (p: { pid: Cell; ppid: Cell; comm: Cell }) => `${p.pid} ${p.ppid} ${p.comm}`;

describe('Linux analysis with the kallsyms tables smeared', { skip }, () => {
  let bytes: Uint8Array;
  let session: Session;
  before(async () => {
    bytes = await smearedCapture();
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    session = await untracked(() => openSession(new MemorySource(bytes, 'smeared-kallsyms.raw'), env));
  });
  after(() => session?.close());

  it('says once what is degraded', () => {
    const degraded = session.summary.warnings.filter((w) => w.includes('kallsyms'));
    assert.equal(degraded.length, 1, String(session.summary.warnings));
    assert.match(degraded[0]!, DEGRADED);
    assert.match(session.summary.symbols ?? '', /kallsyms unreadable/);
  });

  it('finds BTF, init_task and modules where the kernel has them', async () => {
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(new MemorySource(bytes, 'smeared-kallsyms.raw'));
    const d = (await discoverLinux(physical, env.wasm, env.scanner)).discovery!;
    const table = await loadKernelSymbolTable(linuxKernelLayer(physical, env.wasm, d.dtb), d);
    const selected = (linuxTruth()['kernel'] as KernelTruth).kallsyms_selected;
    for (const name of ['init_task', 'modules', '__start_BTF', '__stop_BTF', '_stext', 'init_top_pgt'])
      assert.equal(table.symbol(name), BigInt(selected[name]!), name);
    assert.equal(table.symbol('sys_call_table'), undefined);
  });

  it('linux.pslist lists the processes alive in the guest', async () => {
    const { rows, warnings } = await runByColumn(session, 'linux.pslist');
    const want = (linuxTruth()['processes'] as { pid: number; ppid: number; comm: string }[]).map(processKey).sort();
    assert.deepEqual(rows.map((r) => processKey({ pid: r['PID']!, ppid: r['PPID']!, comm: r['COMM']! })).sort(), want);
    assert.deepEqual(warnings, []);
  });

  it('linux.lsmod lists the loaded modules', async () => {
    const { rows, warnings } = await runByColumn(session, 'linux.lsmod');
    const want = (linuxTruth()['modules'] as { name: string; size: number; state: string; address: string }[]).map((m) => [
      m.name,
      m.size,
      m.state,
      BigInt(m.address),
    ]);
    assert.deepEqual(
      rows.map((r) => [r['Name'], r['Size'], r['State'], r['Base']]),
      want,
    );
    assert.deepEqual(warnings, []);
  });

  it('a plugin needing a symbol that was not recovered fails with one line naming it', async () => {
    await rejectsWith(runByColumn(session, 'linux.check_idt'), 'SYMBOLS_MISSING', 'kallsyms unreadable at 0x', 'symbol idt_table not recovered');
  });

  it('exports no ISF from the partial table', async () => {
    const kernel = await session.kernel('linux');
    await rejectsWith(
      Promise.resolve().then(() => kernelIsfText(kernel, 'test')),
      'SYMBOLS_MISSING',
      'kallsyms unreadable at 0x',
      'whole symbol table',
    );
  });
});

describe('Linux analysis with intact kallsyms', { skip }, () => {
  it('gives no degraded warning', async () => {
    const session = await openLinuxSession('linux-a.raw');
    try {
      assert.deepEqual(
        session.summary.warnings.filter((w) => w.includes('kallsyms')),
        [],
      );
      assert.match(session.summary.symbols ?? '', /^BTF \+ kallsyms in the image/);
    } finally {
      await session.close();
    }
  });
});
