import { executeServerCommand } from '@web/test-runner-commands';
import { MEMSCOPE_VERSION } from '../../src/version.ts';
import { AppFrame } from './app-frame.ts';
import { equal, ok } from './assert.ts';
import { captureDownload, waitFor } from './dom.ts';

// The built app (npm run build) on its sample: the file's hashes, computed in the engine worker on opening, must be
// the ones Node's crypto computes from the same file, and every export must carry them with memscope's version.
const SAMPLE = 'dist/sample/sample.raw';

describe('end to end: chain of custody (the sample in the built app)', function () {
  this.timeout(30000);

  it('hashes the opened image on its own, shows SHA-256 and MD5, and writes them into every export', async () => {
    const sha256 = (await executeServerCommand('file-sha256', { path: SAMPLE })) as string;
    const md5 = (await executeServerCommand('file-md5', { path: SAMPLE })) as string;
    const app = await AppFrame.open();
    try {
      app.find('button.sample')!.click();
      // Node's SHA-256 shows in the summary with no click (else: timed out).
      const text = await app.summaryText('sample.raw', (t) => t.includes(sha256), 20000);
      ok(text.includes(md5), `MD5 ${md5} in the summary`);
      // The process tree the page showed on opening.
      await waitFor(() => app.find('.result-state')?.textContent?.includes('rows in'), 'the process tree', 15000);
      const view = app.element.contentWindow as Window & typeof globalThis;
      const save = async (format: string) => (await captureDownload(() => app.find('export-buttons', `button.${format}`)!.click(), view)).blob.text();

      const json = JSON.parse(await save('json')) as { rows: unknown[]; metadata: Record<string, unknown> };
      const size = (await (await fetch(`/${SAMPLE}`)).blob()).size;
      equal(json.metadata['imageSha256'], sha256);
      equal(json.metadata['imageMd5'], md5);
      equal(json.metadata['memscopeVersion'], MEMSCOPE_VERSION);
      equal(json.metadata['imageFile'], 'sample.raw');
      equal(json.metadata['imageSize'], size);
      equal(json.metadata['plugin'], 'windows.pstree');
      equal(json.metadata['runStatus'], 'complete');
      ok(json.rows.length > 0, 'the rows');

      const jsonl = (await save('jsonl')).trimEnd().split('\n');
      const last = JSON.parse(jsonl.at(-1)!) as { metadata: Record<string, unknown> };
      equal(last.metadata['imageSha256'], sha256);
      equal(last.metadata['memscopeVersion'], MEMSCOPE_VERSION);
      equal(jsonl.length - 1, last.metadata['rowCount'], 'one line per row, then the metadata');

      const csv = (await save('csv')).split('\r\n');
      ok(
        csv.some((line) => line.startsWith(`#imageSha256,${sha256},`)),
        'the CSV metadata rows',
      );
      ok(csv.some((line) => line.startsWith(`#imageMd5,${md5},`)));
      ok(csv.some((line) => line.startsWith(`#memscopeVersion,${MEMSCOPE_VERSION},`)));
    } finally {
      app.close();
    }
  });
});
