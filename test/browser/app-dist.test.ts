import { equal, ok } from './assert.ts';
import { pierce, renderedRows, waitFor } from './dom.ts';

// The built page (npm run build) under its own CSP: "Try a sample", then pslist through the real worker.
describe('built app (dist/index.html)', () => {
  it('opens the sample and lists its processes', async () => {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'width: 1200px; height: 900px';
    frame.src = '/dist/index.html';
    document.body.append(frame);
    try {
      await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      const page = frame.contentDocument!;
      const sample = await waitFor(() => pierce(page, 'memscope-app', 'button.sample'), 'Try a sample button', 8000);
      sample.click();
      const summary = await waitFor(() => pierce(page, 'memscope-app', 'image-summary'), 'image summary', 15000);
      const text = summary.shadowRoot!.textContent!;
      ok(text.includes('sample.raw') && text.includes('16.0 MiB'), 'summary of the sample');
      equal(pierce(page, 'memscope-app', 'symbol-request'), null, 'the sample brings its symbols');
      (await waitFor(() => pierce(page, 'memscope-app', 'plugin-picker', 'button[data-plugin="windows.pslist"]'), 'pslist')).click();
      (await waitFor(() => pierce(page, 'memscope-app', 'plugin-picker', 'button[type=submit]'), 'run')).click();
      const table = await waitFor(() => pierce(page, 'memscope-app', 'result-table'), 'result table', 15000);
      const rows = await waitFor(
        () => (pierce(page, 'memscope-app', '.result-state')?.textContent?.includes('rows in') ? renderedRows(table) : undefined),
        'finished run',
        15000,
      );
      ok(
        rows.some((r) => r[0] === '4' && r.includes('System')),
        'System (PID 4) shown',
      );
    } finally {
      frame.remove();
    }
  });
});
