import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { discoverLinux, linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { linuxIsfText } from '../../src/os/linux/isf-export.ts';
import { loadKernelSymbolTable } from '../../src/os/linux/kernel-symbols.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { collect } from '../helpers/linux-session.ts';

const skip = linuxFixtureSkipReason();

interface TruthProcess {
  pid: number;
  ppid: number;
  comm: string;
  uid: number;
}

/**
 * A kernel without usable BTF (the fixture with its BTF magic wiped) gets a message asking for an ISF; an ISF
 * given with -s then works. The ISF is the one memscope exports from the intact image (Volatility 3 format).
 */
describe('Linux kernels without BTF: the ISF route', { skip }, () => {
  let dir: string;
  let image: Uint8Array;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memscope-isf-'));
    const path = await linuxFixtureFile('linux-a.raw');
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(await NodeFileSource.open(path));
    const d = (await discoverLinux(physical, env.wasm, env.scanner)).discovery!;
    const table = await loadKernelSymbolTable(linuxKernelLayer(physical, env.wasm, d.dtb), d);
    await mkdir(join(dir, 'linux'));
    await writeFile(join(dir, 'linux', 'debian-6.1.0-56.json'), linuxIsfText(table, d, 'test'));
    image = new Uint8Array(await readFile(path));
    const btf = (linuxTruth()['kernel'] as { derived_from_raw: { btf: { start_phys: string } } }).derived_from_raw.btf;
    image.fill(0, Number(btf.start_phys), Number(btf.start_phys) + 4);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('without symbols: the summary and any plugin say an ISF is needed, and how to make one', async () => {
    const session = await openSession(new MemorySource(image, 'no-btf.raw'), await createNodeEnv({ symbolDirs: [], cache: false }));
    assert.equal(session.summary.os, 'linux');
    assert.equal(session.summary.symbols, 'missing');
    const missing = session.summary.missingSymbols;
    assert.ok(
      missing?.kind === 'linux' && missing.banner === (linuxTruth()['kernel'] as { version_string: string }).version_string,
      JSON.stringify(missing),
    );
    assert.ok(
      session.summary.warnings.some((w) => /BTF .*cannot be used/.test(w) && /Volatility 3 Linux ISF/.test(w) && /dwarf2json/.test(w)),
      session.summary.warnings.join('\n'),
    );
    await assert.rejects(collect(session, 'linux.pslist'), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_MISSING' && /-s <dir>/.test(e.message));
  });

  it('with -s DIR holding a Linux ISF for the banner: processes and modules as the guest listed them', async () => {
    const session = await openSession(new MemorySource(image, 'no-btf.raw'), await createNodeEnv({ symbolDirs: [dir], cache: false }));
    assert.match(session.summary.symbols!, /debian-6\.1\.0-56\.json$/);
    const rows = await collect(session, 'linux.pslist');
    const got = rows
      .map((r) => ({ pid: r.values[1], ppid: r.values[3], comm: r.values[4], uid: r.values[5] }))
      .sort((a, b) => Number(a.pid) - Number(b.pid));
    const want = (linuxTruth()['processes'] as TruthProcess[])
      .map((p) => ({ pid: p.pid, ppid: p.ppid, comm: p.comm, uid: p.uid }))
      .sort((a, b) => a.pid - b.pid);
    assert.deepEqual(got, want);
    const modules = (await collect(session, 'linux.lsmod')).map((r) => r.values[1]);
    assert.deepEqual(
      modules,
      (linuxTruth()['modules'] as { name: string }[]).map((m) => m.name),
    );
  });

  it('an ISF lacking task_struct.comm and mm_struct.pgd: one SYMBOLS_INVALID naming both, from the start', async () => {
    const isf = JSON.parse(await readFile(join(dir, 'linux', 'debian-6.1.0-56.json'), 'utf8')) as {
      user_types: Record<string, { fields: Record<string, unknown> }>;
    };
    delete isf.user_types['task_struct']!.fields['comm'];
    delete isf.user_types['mm_struct']!.fields['pgd'];
    const trimmed = join(dir, 'trimmed');
    await mkdir(join(trimmed, 'linux'), { recursive: true });
    // JSON.parse rounds the symbol addresses beyond 2^53; no address is read: the table is refused first.
    await writeFile(join(trimmed, 'linux', 'trimmed.json'), JSON.stringify(isf));
    const session = await openSession(new MemorySource(image, 'no-btf.raw'), await createNodeEnv({ symbolDirs: [trimmed], cache: false }));
    const lacking = 'the symbol table lacks what the kernel context needs: task_struct.comm, mm_struct.pgd';
    assert.equal(session.summary.symbols, 'missing');
    assert.ok(
      session.summary.warnings.some((w) => w.endsWith(lacking)),
      session.summary.warnings.join('\n'),
    );
    // linux.kmsg reads neither field, yet is refused too: the table is judged when the kernel is built.
    for (const plugin of ['linux.pslist', 'linux.kmsg']) {
      await assert.rejects(collect(session, plugin), (e) => isMemscopeError(e) && e.code === 'SYMBOLS_INVALID' && e.message.endsWith(lacking));
    }
  });
});
