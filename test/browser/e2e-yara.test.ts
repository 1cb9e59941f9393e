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
  this.timeout(120000);

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
        60000,
      );
      const table = app.find('result-table')!;
      const got = (await app.allRows(table)).map((r) => cellTexts(r).slice(0, 3).join(' '));
      const want = truth.matches!.map((m) => `0x${m.offset.toString(16)} ${m.rule} ${m.component}`);
      deepEqual([...got].sort(), [...want].sort());
    } finally {
      app.close();
    }
  });

  it('scans an image larger than a chunk on the scan workers: a match across the 32 MiB chunk boundary once, as the yara command finds it', async function () {
    const MiB = 1024 * 1024;
    const mark = 'MEMSCOPE-BOUNDARY-MARK';
    // Across the first chunk's end (a page boundary too), across a page boundary, and at the image's last bytes.
    const offsets = [32 * MiB - 9, 3 * 4096 - 5, 40 * MiB - mark.length];
    const path = (await executeServerCommand('planted-raw', {
      name: 'planted-40MiB.raw',
      size: 40 * MiB,
      seed: 7,
      plants: offsets.map((offset) => ({ offset, text: mark })),
    })) as string;
    const rules = `rule boundary { strings: $mark = "${mark}" condition: $mark }`;
    const truth = (await executeServerCommand('yara-cli', { path, rules })) as YaraCli;
    if (truth.skip) this.skip();
    deepEqual(
      truth.matches!.map((m) => m.offset),
      [...offsets].sort((a, b) => a - b),
      'the yara command finds each planted mark',
    );
    const app = await AppFrame.open();
    try {
      await app.chooseImage(path);
      await app.summaryText('planted-40MiB.raw');
      const table = await app.run('yarascan.yarascan', 60000, { 'yara-rules': rules });
      const got = (await app.allRows(table)).map((r) => cellTexts(r).slice(0, 3).join(' '));
      deepEqual(
        got,
        truth.matches!.map((m) => `0x${m.offset.toString(16)} ${m.rule} ${m.component}`),
      );
    } finally {
      app.close();
    }
  });

  it('scans a 4.5 GiB image, more chunks than a tab has room for YARA-X instances: the workers are renewed, every mark is found', async function () {
    this.timeout(600000);
    const MiB = 1024 * 1024;
    const mark = 'MEMSCOPE-FAR-MARK';
    // YARA-X 1.20's Wasm build keeps each scan's Wasm memory, and a Chromium tab has room for about 124: 144 chunks of
    // 32 MiB failed with "unreachable" before the workers were renewed. Marks early, past 4 GiB, and at the last bytes.
    const size = 4608 * MiB;
    const offsets = [0x1000, 4096 * MiB + 0x123, size - mark.length];
    const path = (await executeServerCommand('planted-raw', {
      name: 'far-4608MiB.raw',
      size,
      plants: offsets.map((offset) => ({ offset, text: mark })),
    })) as string;
    const app = await AppFrame.open();
    try {
      await app.chooseImage(path);
      await app.summaryText('far-4608MiB.raw', undefined, 300000);
      const table = await app.run('yarascan.yarascan', 540000, { 'yara-rules': `rule far { strings: $m = "${mark}" condition: $m }` });
      deepEqual(
        (await app.allRows(table)).map((r) => cellTexts(r).slice(0, 3).join(' ')),
        offsets.map((o) => `0x${o.toString(16)} far $m`),
      );
    } finally {
      app.close();
    }
  });

  it('stops the scan workers where a rule runs past --yara-timeout: the matches before are kept, the warning says where', async function () {
    const MiB = 1024 * 1024;
    const mark = 'MEMSCOPE-BEFORE-THE-STALL';
    // A run of "a" under /a.{0,1000}b/ keeps YARA-X busy for minutes; a chunk of zeros without it takes well under a second.
    const path = (await executeServerCommand('planted-raw', {
      name: 'stall-40MiB.raw',
      size: 40 * MiB,
      plants: [
        { offset: 4096, text: mark },
        { offset: 33 * MiB, text: 'a'.repeat(256 * 1024) },
        { offset: 39 * MiB, text: mark },
      ],
    })) as string;
    const rules = `rule slow { strings: $a = /a.{0,1000}b/ condition: $a }\nrule mark { strings: $m = "${mark}" condition: $m }`;
    const app = await AppFrame.open();
    try {
      await app.chooseImage(path);
      await app.summaryText('stall-40MiB.raw');
      const table = await app.run('yarascan.yarascan', 60000, { 'yara-rules': rules, 'yara-timeout': '4' });
      deepEqual(
        (await app.allRows(table)).map((r) => cellTexts(r).slice(0, 3).join(' ')),
        [`0x1000 mark $m`],
      );
      const message = await waitFor(() => app.find('run-warnings', '.message')?.textContent, 'the warning');
      ok(message.startsWith('YARA took over 4 s on the memory at 0x2000000 and was stopped'), message);
    } finally {
      app.close();
    }
  });

  it('remembers the rules last run in this browser: the next visit’s YARA plugins have them filled in', async () => {
    const rules = `rule remembered_${Date.now()} { strings: $a = "lsass.exe" condition: $a }`;
    const first = await AppFrame.open();
    try {
      first.find('button.sample')!.click();
      await first.summaryText('sample.raw');
      await first.run('yarascan.yarascan', 60000, { 'yara-rules': rules });
    } finally {
      first.close();
    }
    const next = await AppFrame.open();
    try {
      next.find('button.sample')!.click();
      await next.summaryText('sample.raw');
      for (const plugin of ['yarascan.yarascan', 'windows.vadyarascan']) {
        (await waitFor(() => next.find('plugin-picker', `button[data-plugin="${plugin}"]`), plugin)).click();
        const field = await waitFor(
          () => next.find('plugin-picker', 'textarea[name="yara-rules"]') as HTMLTextAreaElement | null,
          `${plugin}'s rules`,
        );
        await waitFor(() => field.value === rules, `${plugin}'s rules filled in`);
      }
    } finally {
      next.close();
    }
  });
});
