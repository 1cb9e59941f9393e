import { AppFrame } from './app-frame.ts';
import { deepEqual } from './assert.ts';
import { violations } from './axe.ts';
import { waitFor } from './dom.ts';

// axe-core (the accessibility engine browsers' audits use) on every view of the built app with its sample: the start
// page, the summary with the process tree, a result table with a row's details, the process view, the hex view, the
// timeline, the registry browser, an error, and the narrow layout. No violation of any rule axe checks by default (WCAG 2.x A/AA).

describe('end to end: accessibility (axe-core on every view of the built app)', function () {
  this.timeout(60000);

  it('has no violations on the start page, the opened sample, its results, process view, memory, timeline, registry, an error, and a narrow screen', async () => {
    const app = await AppFrame.open();
    try {
      deepEqual(await violations(app), [], 'start page');

      app.find('button.sample')!.click();
      await app.summaryText('sample.raw');
      await waitFor(() => app.find('.result-state')?.textContent?.includes('rows in'), 'the process tree', 15000);
      deepEqual(await violations(app), [], 'summary and process tree');

      const table = await app.run('windows.psscan');
      table.shadowRoot!.querySelector<HTMLElement>('.grid-row [role=gridcell]')!.click();
      await waitFor(() => table.shadowRoot!.querySelector('.row-details'), 'row details');
      deepEqual(await violations(app), [], 'psscan with a row’s details');

      table.shadowRoot!.querySelector<HTMLElement>('.row-details button.open-process')!.click();
      const view = await waitFor(() => app.find('process-view'), 'the process view');
      await waitFor(() => view.shadowRoot!.querySelector('details result-table'), 'its first section', 15000);
      deepEqual(await violations(app), [], 'process view');

      app.find('button[data-tab=results]')!.click();
      await waitFor(() => app.find('result-table'), 'psscan again');
      const offset = await waitFor(() => app.find('result-table')!.shadowRoot!.querySelector<HTMLElement>('.grid-row .cell.address'), 'an address');
      offset.click();
      const hex = await waitFor(() => app.find('hex-view'), 'the hex view');
      await waitFor(() => hex.shadowRoot!.querySelector('.hex-row, [role=row]'), 'its bytes', 10000);
      deepEqual(await violations(app), [], 'hex view');
      // Kernel address 0 is not mapped: its bytes show as ??, and must stay readable.
      const address = hex.shadowRoot!.querySelector<HTMLInputElement>('input[name=address]')!;
      address.value = '0x0';
      hex.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
      await waitFor(() => hex.shadowRoot!.querySelector('.row.unmapped'), 'unmapped bytes', 10000);
      deepEqual(await violations(app), [], 'hex view of unmapped memory');

      app.find('button[data-tab=timeline]')!.click();
      await waitFor(() => app.find('timeline-view')?.shadowRoot?.querySelector('result-table'), 'the timeline');
      deepEqual(await violations(app), [], 'timeline');

      app.find('button[data-tab=registry]')!.click();
      const registry = await waitFor(() => app.find('registry-browser'), 'the registry browser');
      const run = await waitFor(
        () => [...registry.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.shortcut')].find((b) => b.textContent === 'Run (SOFTWARE)'),
        'the Run shortcut',
        15000,
      );
      run.click();
      await waitFor(() => registry.shadowRoot!.querySelector('registry-key-view')?.shadowRoot?.querySelector('result-table'), 'Run’s values', 15000);
      deepEqual(await violations(app), [], 'registry browser');

      app.element.style.width = '390px';
      app.find('button[data-tab=results]')!.click();
      await waitFor(() => app.find('section.results')!.getBoundingClientRect().width < 390, 'the narrow layout');
      deepEqual(await violations(app), [], 'narrow layout');
      app.element.style.width = '1200px';

      await app.chooseImage('package.json');
      await app.failureText();
      deepEqual(await violations(app), [], 'an error');
    } finally {
      app.close();
    }
  });
});
