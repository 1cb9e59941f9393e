import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame, cellTexts } from './app-frame.ts';
import { deepEqual, ok } from './assert.ts';
import { dropFiles, waitFor } from './dom.ts';

// Real YARA in the built app: rules dropped on the page fill yarascan's form, Run scans the sample, and the matches
// are the ones the yara command finds in the same file (offset, rule, string).
const SAMPLE = 'dist/sample/sample.raw';
const RULES = `rule process_names {
  strings:
    $smss = "smss.exe"
    $lsass = "lsass.exe" wide
  condition:
    any of them
}
rule mz_header {
  strings:
    $mz = { 4D 5A 90 00 03 00 00 00 }
  condition:
    $mz
}
`;

interface YaraCli {
  readonly skip?: string;
  readonly matches?: readonly { rule: string; component: string; offset: number; length: number }[];
}

describe('end to end: YARA rules dropped on the built app scan the image as the yara command does', function () {
  this.timeout(60000);

  it('fills yarascan with the dropped rules; its matches are the yara command’s', async function () {
    const truth = (await executeServerCommand('yara-cli', { path: SAMPLE, rules: RULES })) as YaraCli;
    if (truth.skip) this.skip();
    ok(truth.matches!.length > 0, 'the rules match in the sample');
    const app = await AppFrame.open();
    try {
      app.find('button.sample')!.click();
      await app.summaryText('sample.raw');
      await waitFor(() => app.find('.result-state')?.textContent?.includes('rows in'), 'the process tree', 15000);
      const view = app.element.contentWindow as Window & typeof globalThis;
      dropFiles(app.find('drop-zone', '.zone')!, [new view.File([RULES], 'hunt.yar')]);
      const field = await waitFor(() => app.find('plugin-picker', 'textarea[name="yara-rules"]') as HTMLTextAreaElement | null, 'the rules field');
      await waitFor(() => field.value === RULES, 'the rules in it');
      const run = await waitFor(() => app.find('plugin-picker', 'button[type=submit]'), 'Run');
      run.click();
      await waitFor(
        () => app.find('.result-head h2')?.textContent === 'yarascan.yarascan' && app.find('.result-state')?.textContent?.includes('rows in'),
        'the scan',
        30000,
      );
      const table = app.find('result-table')!;
      const got = (await app.allRows(table)).map((r) => cellTexts(r).slice(0, 3).join(' '));
      const want = truth.matches!.map((m) => `0x${m.offset.toString(16)} ${m.rule} ${m.component}`);
      deepEqual([...got].sort(), [...want].sort());
    } finally {
      app.close();
    }
  });
});
