import '../../src/ui/hex-view.ts';
import '../../src/ui/memscope-app.ts';
import type { HexView } from '../../src/ui/hex-view.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { trapAlertsAndClear, dropFiles, mount, pierce, pierceAll, renderedRows, waitFor } from './dom.ts';
import { FakeEngine, fakeMemory } from './fake-engine.ts';
import { HOSTILE_NAME, plugins, pslistRows, summary } from './fixtures.ts';

interface ShownRow {
  readonly address: string;
  readonly hex: string;
  readonly ascii: string;
  readonly unmapped: boolean;
}

function shownRows(view: HexView): ShownRow[] {
  return [...view.shadowRoot!.querySelectorAll('.row')].map((row) => ({
    address: row.querySelector('.address')!.textContent!.trim(),
    hex: row.querySelector('.hex')!.textContent!,
    ascii: row.querySelector('.ascii')!.textContent!,
    unmapped: row.classList.contains('unmapped'),
  }));
}

/** Rows once the view shows memory starting at `address`. */
function rowsAt(view: HexView, address: string): Promise<ShownRow[]> {
  return waitFor(() => {
    const rows = shownRows(view);
    return rows[0]?.address === address ? rows : undefined;
  }, `rows from ${address}`);
}

function mountView(): { view: HexView; engine: FakeEngine } {
  const engine = new FakeEngine(summary, plugins, {});
  const view = mount(document.createElement('hex-view'));
  view.read = (space, address, length) => engine.readMemory(space, address, length);
  return { view, engine };
}

describe('hex-view', () => {
  const alerts = trapAlertsAndClear();

  it('shows 16 bytes a row: address, hex and ASCII with non-printables as dots', async () => {
    const { view, engine } = mountView();
    view.target = { space: 'physical', address: '0x2000' };
    const rows = await rowsAt(view, '0x2000');
    deepEqual(engine.memoryReads, [{ space: 'physical', address: '0x2000', length: 4096 }]);
    equal(rows.length, 4096 / 16);
    // Fake memory: the byte at a is a & 0xff.
    deepEqual(rows[0], { address: '0x2000', hex: '00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f', ascii: '.'.repeat(16), unmapped: false });
    deepEqual(rows[4], { address: '0x2040', hex: '40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f', ascii: '@ABCDEFGHIJKLMNO', unmapped: false });
    deepEqual(rows[15], { address: '0x20f0', hex: 'f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff', ascii: '.'.repeat(16), unmapped: false });
  });

  it('shows a hostile byte sequence as text: no element, no script', async () => {
    const { view } = mountView();
    view.target = { space: 'kernel', address: '0x2000' };
    const rows = await rowsAt(view, '0x2000');
    const { address, text } = fakeMemory.planted;
    equal(address, 0x2010);
    equal(text, HOSTILE_NAME);
    ok((rows[1]!.ascii + rows[2]!.ascii).startsWith(HOSTILE_NAME), `ASCII of 0x2010: ${rows[1]!.ascii}${rows[2]!.ascii}`);
    equal(rows[1]!.hex.slice(0, 11), '3c 69 6d 67', '"<img" in hex');
    equal(view.shadowRoot!.querySelectorAll('img').length, 0, 'no <img> in the view');
    equal(document.querySelectorAll('img').length, 0, 'no <img> in the page');
    await new Promise((r) => setTimeout(r, 50));
    deepEqual(alerts, [], 'no script ran');
  });

  it('marks unmapped pages as ?? and leaves their ASCII blank', async () => {
    const { view } = mountView();
    // 0xff00: one mapped 256-byte tail of a page, then the unmapped page at 0x10000 (fakeMemory.unmappedFrom).
    view.target = { space: 'kernel', address: '0xff08' };
    const rows = await rowsAt(view, '0xff00');
    deepEqual(
      rows.map((r) => r.unmapped),
      [...Array(16).fill(false), ...Array(240).fill(true)],
    );
    deepEqual(rows[16], { address: '0x10000', hex: '?? ?? ?? ?? ?? ?? ?? ??  ?? ?? ?? ?? ?? ?? ?? ??', ascii: ' '.repeat(16), unmapped: true });
    equal(rows[15]!.hex.slice(-2), 'ff');
  });

  it('pages with the buttons and PageUp / PageDown, and goes to a typed address', async () => {
    const { view, engine } = mountView();
    view.target = { space: 'physical', address: '0x2000' };
    await rowsAt(view, '0x2000');
    pierce(view, 'button.next')!.click();
    await rowsAt(view, '0x3000');
    view.shadowRoot!.querySelector('.dump')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageUp' }));
    await rowsAt(view, '0x2000');
    view.shadowRoot!.querySelector('.dump')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown' }));
    await rowsAt(view, '0x3000');
    const input = pierce(view, 'input[name=address]') as HTMLInputElement;
    input.value = '4096';
    pierce(view, 'button[type=submit]')!.click();
    await rowsAt(view, '0x1000');
    pierce(view, 'button.previous')!.click();
    await rowsAt(view, '0x0');
    ok((pierce(view, 'button.previous') as HTMLButtonElement).disabled, 'no page before 0');
    deepEqual(
      engine.memoryReads.map((r) => r.address),
      ['0x2000', '0x3000', '0x2000', '0x3000', '0x1000', '0x0'],
    );
    input.value = 'zero';
    pierce(view, 'button[type=submit]')!.click();
    await waitFor(() => pierce(view, '.error')?.textContent?.includes('not an address'), 'error for a bad address');
    equal(engine.memoryReads.length, 6, 'nothing read for a bad address');
  });

  it('names a process space in the selector and switches between it and the kernel', async () => {
    const { view, engine } = mountView();
    const space = { kind: 'process', pid: 104 } as const;
    view.target = { space, address: '0x400000', processName: 'memimg_alpha' };
    await rowsAt(view, '0x400000');
    const select = pierce(view, 'select[name=space]') as HTMLSelectElement;
    deepEqual(
      [...select.options].map((o) => o.textContent),
      ['Physical', 'Kernel virtual', 'Process 104 (memimg_alpha)'],
    );
    equal(select.selectedOptions[0]!.textContent, 'Process 104 (memimg_alpha)');
    for (const choice of ['kernel', 'process']) {
      select.value = choice;
      select.dispatchEvent(new Event('change'));
      pierce(view, 'button[type=submit]')!.click();
      await waitFor(() => engine.memoryReads.length === (choice === 'kernel' ? 2 : 3), `a read in the ${choice} space`);
    }
    deepEqual(
      engine.memoryReads.map((r) => r.space),
      [space, 'kernel', space],
    );
  });

  it('opens from a clicked Offset(V) in the app: the kernel address space at that address', async () => {
    const engine = new FakeEngine(summary, plugins, { 'windows.pslist': { rows: pslistRows } });
    const app = mount(document.createElement('memscope-app'));
    app.engine = engine;
    dropFiles(await waitFor(() => pierce(app, 'drop-zone', '.zone'), 'drop zone'), [new File([new Uint8Array(16)], 'win10.raw')]);
    (await waitFor(() => pierce(app, 'button[data-tab=memory]'), 'Memory tab')).click();
    const view = (await waitFor(() => pierce(app, 'hex-view'), 'hex view')) as HexView;
    ok(!view.hidden, 'the Memory tab shows the hex view');
    equal(engine.memoryReads.length, 0);

    (await waitFor(() => pierce(app, 'plugin-picker', 'button[data-plugin="windows.pslist"]'), 'pslist')).click();
    (await waitFor(() => pierce(app, 'plugin-picker', 'button[type=submit]'), 'run button')).click();
    await waitFor(() => view.hidden, 'the results tab');
    ok(view.hidden, 'running a plugin shows its results');
    const table = await waitFor(() => pierce(app, 'result-table'), 'result table');
    await waitFor(() => renderedRows(table).length === 3, 'rows');
    const row = [...table.shadowRoot!.querySelectorAll('.grid-row')][2]!;
    const cells = row.querySelectorAll<HTMLElement>('[role=gridcell]');
    cells[0]!.click();
    equal(engine.memoryReads.length, 0, 'a PID is no address');
    cells[3]!.click();
    await waitFor(() => engine.memoryReads.length === 1, 'a read');
    deepEqual(engine.memoryReads[0], { space: 'kernel', address: '0xffffad8b2f0a5080', length: 4096 });
    ok(!view.hidden && pierceAll(app, 'hex-view').length === 1, 'the hex view is shown');
    await rowsAt(view, '0xffffad8b2f0a5080');
  });
});
