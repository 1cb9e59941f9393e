import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InOrderResults } from '../../src/scan/in-order.ts';
import type { PluginRow } from '../../src/plugins/plugin.ts';
import { openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

describe('scan results in chunk order', () => {
  it('a result is taken once it and every one before it have arrived, whatever order they arrive in', async () => {
    const results = new InOrderResults<string>();
    results.put(2, 'c');
    results.put(0, 'a');
    assert.equal(await results.take(0), 'a');
    const second = results.take(1);
    results.put(1, 'b');
    assert.equal(await second, 'b');
    assert.equal(await results.take(2), 'c');
  });

  it('a failure rejects the take waiting and every later one', async () => {
    const results = new InOrderResults<string>();
    results.put(1, 'b');
    const first = results.take(0);
    results.fail(new Error('cancelled'));
    results.fail(new Error('later'));
    await assert.rejects(first, /cancelled/);
    await assert.rejects(results.take(1), /cancelled/);
  });
});

describe('pool scans stream their rows', () => {
  /** The plugin's rows, and how far its scan of physical memory was when the first row came. */
  async function run(plugin: string, options = {}): Promise<{ rows: PluginRow[]; atFirstRow: { done: number; total: number } | undefined }> {
    const { image } = await windowsImage({ size: 128 * 1024 * 1024, seed: 3 });
    const session = await openWindowsSession(image);
    let scanned: { done: number; total: number } | undefined;
    let atFirstRow: { done: number; total: number } | undefined;
    const rows: PluginRow[] = [];
    const onProgress = (done: number, total: number, stage: string) => {
      if (stage.startsWith('scanning physical memory')) scanned = { done, total };
    };
    for await (const row of session.run(plugin, options, { onProgress })) {
      atFirstRow ??= scanned;
      rows.push(row);
    }
    await session.close();
    return { rows, atFirstRow };
  }

  for (const plugin of ['windows.psscan', 'windows.thrdscan']) {
    it(`${plugin}: the first row comes while physical memory is still being scanned`, async () => {
      const { rows, atFirstRow } = await run(plugin);
      assert.ok(rows.length > 1);
      assert.ok(atFirstRow && atFirstRow.done < atFirstRow.total, `first row after ${atFirstRow?.done} of ${atFirstRow?.total} bytes scanned`);
    });
  }

  it('windows.psscan keeps its rows in physical order', async () => {
    const { rows } = await run('windows.psscan', { physical: true });
    const offsets = rows.map((r) => r.values[3] as bigint);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
});
