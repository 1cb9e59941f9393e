import { executeServerCommand } from '@web/test-runner-commands';
import { AppFrame } from './app-frame.ts';
import { ok } from './assert.ts';
import { waitFor } from './dom.ts';

// Hostile input in the built app: images the fuzzer mutates (test/fuzz, the same seeds as `npm run fuzz`), opened as a
// user opens a file. Each must end in something an analyst can read — rows, a run that failed with a message, the
// summary's "no operating system" verdict, a symbol request, or one clear error — with the tab responsive throughout.

interface Copy {
  readonly skip?: string;
  readonly path?: string;
  readonly label?: string;
  readonly patches?: number;
  readonly symbols?: string;
}

/** [format, input's OS, campaign seed, run]: runs chosen to smear different structures (see the label each prints). */
const CASES: readonly [string, string, number, number][] = [
  ['raw', 'windows', 7, 0],
  ['raw', 'windows', 7, 1],
  ['crashdump', 'windows', 7, 2],
  ['kdump', 'linux-a', 7, 0],
  ['lime', 'linux-a', 7, 1],
  ['raw', 'linux-a', 7, 3],
];

/** A frozen tab: longer than this without a timer firing (a hang, not slowness: the work runs in workers). */
const MAX_STALL_MS = 3000;

describe('end to end: fuzzed images opened in the built app', function () {
  this.timeout(180000);

  for (const [format, os, seed, run] of CASES) {
    it(`${format} of ${os}, seed ${seed} run ${run}: ends readable, the tab responsive`, async function () {
      const copy = (await executeServerCommand('mutated-copy', { format, os, seed, run })) as Copy;
      if (copy.skip) this.skip();
      const name = copy.path!.split('/').pop()!;
      const app = await AppFrame.open();
      let last = performance.now();
      let stall = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        stall = Math.max(stall, now - last);
        last = now;
      }, 50);
      try {
        await app.chooseImage(copy.path!);
        let end = await waitFor(() => outcome(app, name), `an end to opening ${name} (${copy.patches} patches)`, 150000);
        if (end.kind === 'symbols' && copy.symbols) {
          // The kernel's symbol table, as a user adds it: the mutated structures are then read.
          await app.addSymbols(copy.symbols);
          end = await waitFor(() => (app.symbolRequest() ? undefined : outcome(app, name)), `an end to ${name} with its symbols`, 150000);
        }
        ok(end.text.trim().length > 0, `${end.kind}: says something`);
        ok(!/\bat \S+:\d+:\d+|\[object |undefined/.test(end.text), `${end.kind}: plain words, no stack or placeholder: ${end.text}`);
        ok(stall < MAX_STALL_MS, `the tab stalled ${Math.round(stall)} ms`);
      } finally {
        clearInterval(ticker);
        app.close();
      }
    });
  }
});

/** How opening the image ended, once it has: its kind and the text the user reads. */
function outcome(app: AppFrame, name: string): { kind: string; text: string } | undefined {
  const error = app.find('error-message');
  if (error) return { kind: 'error', text: error.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '' };
  const summary = app.find('image-summary')?.shadowRoot;
  if (!summary?.textContent?.includes(name) || app.find('.status progress')) return undefined;
  const noOs = summary.querySelector('section.no-os');
  if (noOs) return { kind: 'no OS', text: noOs.textContent?.replace(/\s+/g, ' ') ?? '' };
  const state = app.find('.result-state')?.textContent ?? '';
  if (/rows in|failed/.test(state)) return { kind: 'run', text: `${app.find('.result-head h2')?.textContent}: ${state}` };
  const request = app.find('symbol-request');
  if (request) return { kind: 'symbols', text: (request.shadowRoot ?? request).textContent?.replace(/\s+/g, ' ') ?? '' };
  return undefined;
}
