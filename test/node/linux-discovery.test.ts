import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { openImage } from '../../src/formats/detect.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { discoverLinux, discoverLinuxFromNotes } from '../../src/os/linux/discovery.ts';
import { Vmcoreinfo } from '../../src/os/linux/vmcoreinfo.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const skip = linuxFixtureSkipReason();
interface KernelTruth {
  version_string: string;
  release: string;
  kaslr_offset: string;
  phys_base: string;
  phys_base_signed: number;
  derived_from_raw: { init_top_pgt_phys: string };
}
const kernel = (): KernelTruth => linuxTruth()['kernel'] as KernelTruth;

describe('VMCOREINFO text', { skip }, () => {
  it('parses the guest’s VMCOREINFO: release, KASLR offset, negative phys_base, relocated symbols', () => {
    const truth = linuxTruth().vmcoreinfo;
    const info = Vmcoreinfo.parse(truth.text)!;
    assert.equal(info.osRelease, truth.fields['OSRELEASE']);
    assert.equal(info.kernelOffset, BigInt(`0x${truth.fields['KERNELOFFSET']}`));
    assert.equal(info.number('phys_base'), BigInt(kernel().phys_base_signed));
    assert.ok(info.number('phys_base')! < 0n);
    assert.equal(info.symbol('init_top_pgt'), BigInt(`0x${truth.fields['SYMBOL(init_top_pgt)']}`));
  });

  it('rejects text that is not VMCOREINFO and ignores malformed values', () => {
    assert.equal(Vmcoreinfo.parse('hello\nworld'), null);
    assert.equal(Vmcoreinfo.parse('OSRELEASE=6.1\n'), null, 'no SYMBOL(_stext)');
    const info = Vmcoreinfo.parse('OSRELEASE=6.1\nSYMBOL(_stext)=ffffffff81000000\nNUMBER(phys_base)=12x\nKERNELOFFSET=zz')!;
    assert.equal(info.number('phys_base'), undefined);
    assert.equal(info.kernelOffset, 0n);
  });
});

describe('Linux discovery on the real image', { skip }, () => {
  for (const capture of ['linux-a.raw', 'linux-a.elf', 'linux-a.lime'] as const) {
    it(`${capture}: KASLR offset, phys_base, init_top_pgt and banner`, async () => {
      const env = await createNodeEnv({ symbolDirs: [], cache: false });
      const physical = await openImage(await NodeFileSource.open(await linuxFixtureFile(capture)));
      const outcome = (await discoverLinuxFromNotes(physical, env.wasm)) ?? (await discoverLinux(physical, env.wasm, env.scanner));
      assert.ok(outcome.discovery, 'why' in outcome ? outcome.why : '');
      const d = outcome.discovery;
      assert.equal(d.release, kernel().release);
      assert.equal(d.banner, kernel().version_string);
      assert.equal(BigInt(d.kaslrOffset), BigInt(kernel().kaslr_offset));
      assert.equal(BigInt(d.physBase), BigInt(kernel().phys_base));
      assert.equal(d.dtb, Number(kernel().derived_from_raw.init_top_pgt_phys));
      assert.equal(d.vmcoreinfoFoundAt === 'container note', capture === 'linux-a.elf');
    });
  }
});

describe('Linux discovery on hostile images', { skip }, () => {
  it('VMCOREINFO whose page tables are missing: not Linux-usable, with the reason', async () => {
    const text = linuxTruth().vmcoreinfo.text;
    const image = new Uint8Array(8 * 1024 * 1024);
    image.set(new TextEncoder().encode(text), 0x345678);
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const outcome = await discoverLinux(await openImage(new MemorySource(image, 'vmcoreinfo-only.raw')), env.wasm, env.scanner);
    assert.equal(outcome.discovery, null);
    assert.ok(
      'why' in outcome && /Linux 6\.1\.0-56-amd64 found .*(outside the captured memory|do not map the kernel text)/.test(outcome.why),
      'why' in outcome ? outcome.why : '',
    );
    const session = await openSession(new MemorySource(image, 'vmcoreinfo-only.raw'), env);
    assert.equal(session.summary.os, null);
  });

  it('a raw image cut before the kernel: opens, and the summary says Linux was found but its page tables were not captured', async () => {
    const path = await linuxFixtureFile('linux-a.raw');
    const source = await NodeFileSource.open(path);
    const half = await source.read(0, 128 * 1024 * 1024);
    await source.close();
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const session = await openSession(new MemorySource(half, 'half.raw'), env);
    const s = session.summary;
    assert.equal(s.os, null);
    // Said once, as what was still found (not as a warning beside "no OS"): probably truncated, and why.
    assert.equal(s.noOs?.kind, 'incomplete');
    assert.equal(s.noOs.short, 'none readable: capture incomplete');
    assert.match(s.noOs.verdict, /probably truncated/);
    assert.equal(s.noOs.found.length, 1);
    assert.match(s.noOs.found[0]!, /^Linux 6\.1\.0-56-amd64 found .*outside the captured memory/);
    assert.ok(s.noOs.checked.some((c) => c.startsWith('no Windows x64 kernel found')));
    assert.ok(!s.warnings.some((w) => w.includes('Linux 6.1.0-56-amd64 found')), JSON.stringify(s.warnings));
  });
});
