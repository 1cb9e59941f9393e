import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { openImage } from '../../src/formats/detect.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { linuxKernelLayer } from '../../src/os/linux/discovery.ts';
import { kallsymsCandidates } from '../../src/os/linux/kallsyms-locate.ts';
import {
  decodeKallsymsTables,
  deserializeKernelSymbols,
  serializeKernelSymbols,
  type KallsymsTables,
  type KernelSymbols,
} from '../../src/os/linux/kallsyms-tables.ts';
import { bufferReader, writeKallsyms, type TestSymbol } from '../helpers/kallsyms-writer.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const TEXT = 0xffffffff81000000n;
const BASE = 0xffffffff82000000n;

function testSymbols(count: number): TestSymbol[] {
  const symbols: TestSymbol[] = [
    { name: '_text', type: 'T', address: TEXT },
    { name: '_stext', type: 'T', address: TEXT },
    { name: 'fixed_percpu_data', type: 'A', address: 0n },
    { name: 'cpu_number', type: 'D', address: 0x2c038n },
    { name: `long_${'x'.repeat(300)}`, type: 't', address: TEXT + 0x10n },
  ];
  for (let i = 0; symbols.length < count; i++) {
    symbols.push({
      name: `${['init_', 'rcu_', 'task_', 'kallsyms_'][i % 4]}sym${i}`,
      type: 'TtDdBbRr'[i % 8]!,
      address: TEXT + 0x20n + BigInt(i) * 16n,
    });
  }
  return symbols;
}

function assertSame(decoded: KernelSymbols, symbols: readonly TestSymbol[]): void {
  assert.equal(decoded.count, symbols.length);
  assert.deepEqual(
    [...decoded.entries()],
    symbols.map((s) => ({ name: s.name, type: s.type, address: s.address })),
  );
}

const tablesOf = (w: ReturnType<typeof writeKallsyms>): KallsymsTables => ({
  numSyms: w.numSyms,
  names: w.names,
  tokenTable: w.tokenTable,
  tokenIndex: w.tokenIndex,
  offsets: w.offsets,
  relativeBase: w.relativeBase,
});

describe('kallsyms decoder', () => {
  const symbols = testSymbols(1000);

  it('decodes names, types and addresses, including absolute per-CPU values and a 300-character name', async () => {
    const w = writeKallsyms(symbols, TEXT, { base: BASE });
    assertSame(await decodeKallsymsTables(bufferReader(w.bytes, BASE), tablesOf(w), TEXT), symbols);
  });

  it('finds the tables by their shape, with and without kallsyms_seqs_of_names, among junk', async () => {
    for (const seqs of [false, true]) {
      const w = writeKallsyms(symbols, TEXT, { base: BASE, lead: 100_000, tail: 5000, seqs });
      const reader = bufferReader(w.bytes, BASE);
      let found: KallsymsTables | undefined;
      for await (const c of kallsymsCandidates(reader, BASE, w.bytes.length)) {
        if (c.numSyms === w.numSyms) found = c;
      }
      assert.deepEqual(found, tablesOf(w), `seqs ${seqs}`);
      assertSame(await decodeKallsymsTables(reader, found!, TEXT), symbols);
    }
  });

  it('serialises for the cache and back', async () => {
    const w = writeKallsyms(symbols, TEXT, { base: BASE });
    const decoded = await decodeKallsymsTables(bufferReader(w.bytes, BASE), tablesOf(w), TEXT);
    assertSame(deserializeKernelSymbols(JSON.parse(JSON.stringify(serializeKernelSymbols(decoded)))), symbols);
  });

  it('reads cached addresses of any width back exactly, and refuses ones that are not 8 bytes per symbol in base64', () => {
    const addresses = [0n, 0x1n, 0x1234n, 0xffffffffn, 0x100000000n, 0x12345678abcdn, TEXT, 0xffffffffffffffffn];
    const bytes = Buffer.alloc(addresses.length * 8);
    addresses.forEach((a, i) => bytes.writeBigUInt64LE(a, i * 8));
    const cached = {
      names: addresses.map((_, i) => `s${i}`).join('\n'),
      types: 'T'.repeat(addresses.length),
      addresses: bytes.toString('base64'),
    };
    assert.deepEqual([...deserializeKernelSymbols(cached).addresses], addresses);
    for (const bad of ['zz!', '', bytes.subarray(1).toString('base64'), Buffer.concat([bytes, Buffer.alloc(8)]).toString('base64')])
      assert.throws(() => deserializeKernelSymbols({ ...cached, addresses: bad }));
  });

  it('refuses corrupt tables with CORRUPT, never hangs', async () => {
    const w = writeKallsyms(symbols, TEXT, { base: BASE });
    const corrupt = async (patch: (bytes: Uint8Array) => void, tables = tablesOf(w), text = TEXT) => {
      const bytes = w.bytes.slice();
      patch(bytes);
      await assert.rejects(decodeKallsymsTables(bufferReader(bytes, BASE), tables, text), (e) => isMemscopeError(e) && e.code === 'CORRUPT');
    };
    const at = (address: bigint) => Number(address - BASE);
    await corrupt((b) => new DataView(b.buffer).setUint32(at(w.numSyms), 5_000_000, true));
    await corrupt((b) => new DataView(b.buffer).setUint32(at(w.numSyms), 100_000, true));
    await corrupt((b) => new DataView(b.buffer).setUint16(at(w.tokenIndex) + 20, 60000, true));
    await corrupt(() => {}, tablesOf(w), TEXT + 0x1000n);
    await corrupt(() => {}, { ...tablesOf(w), tokenTable: w.names - 8n });
  });
});

describe('kallsyms of the real kernel', { skip: linuxFixtureSkipReason() }, () => {
  it('decodes every symbol the guest listed at the address it listed, from VMCOREINFO’s table addresses and by search', async () => {
    const truth = linuxTruth();
    const kernel = truth['kernel'] as {
      kallsyms_count: number;
      kallsyms_selected: Record<string, string>;
      text_virt: string;
      derived_from_raw: { init_top_pgt_phys: string };
    };
    const fields = truth.vmcoreinfo.fields;
    const sym = (name: string) => BigInt(`0x${fields[`SYMBOL(${name})`]}`);
    const env = await createNodeEnv({ symbolDirs: [], cache: false });
    const physical = await openImage(await NodeFileSource.open(await linuxFixtureFile('linux-a.raw')));
    const vm = linuxKernelLayer(physical, env.wasm, Number(kernel.derived_from_raw.init_top_pgt_phys));
    const tables: KallsymsTables = {
      numSyms: sym('kallsyms_num_syms'),
      names: sym('kallsyms_names'),
      tokenTable: sym('kallsyms_token_table'),
      tokenIndex: sym('kallsyms_token_index'),
      offsets: sym('kallsyms_offsets'),
      relativeBase: sym('kallsyms_relative_base'),
    };
    const decoded = await decodeKallsymsTables(vm, tables, sym('_stext'));
    // /proc/kallsyms (the truth's count) also lists the symbols of loaded modules.
    assert.ok(decoded.count <= kernel.kallsyms_count && decoded.count > kernel.kallsyms_count - 5000, String(decoded.count));
    for (const [name, address] of Object.entries(kernel.kallsyms_selected)) assert.equal(decoded.address(name), BigInt(address), name);
    let located: KallsymsTables | undefined;
    for await (const c of kallsymsCandidates(vm, BigInt(kernel.text_virt), 96 * 1024 * 1024)) {
      located = c;
      break;
    }
    assert.deepEqual(located, tables);
  });
});
