import { executeServerCommand } from '@web/test-runner-commands';
import type { ExpectedWindowsImage } from '../fixtures/windows/expected.ts';
import { pierce, waitFor } from './dom.ts';
import { DISCOVERY_DB, RESULTS_DB, SYMBOL_DB, deleteDatabase } from './idb.ts';

/** A generated Windows image on the server (see `windows-image` in web-test-runner.config.mjs). */
export interface WindowsFixture {
  /** Project-relative paths, for `upload-file`. */
  readonly image: string;
  readonly symbols: string;
  /** tcpip.pdb's symbol pack (for windows.netstat); null when the generator wrote none. */
  readonly tcpipSymbols: string | null;
  readonly expected: ExpectedWindowsImage;
}

/** A generated image and its symbol pack; `build` another kernel than the default 19041 (from the test data: `skip` when it is missing). */
export function windowsFixture(size: number, seed?: number): Promise<WindowsFixture>;
export function windowsFixture(size: number, seed: number, build: number): Promise<WindowsFixture | { readonly skip: string }>;
export function windowsFixture(size: number, seed?: number, build?: number): Promise<WindowsFixture | { readonly skip: string }> {
  return executeServerCommand('windows-image', { size, seed, build }) as Promise<WindowsFixture | { readonly skip: string }>;
}

/** A generated image whose explorer.exe holds `bulkHandles` more handles, on a few shared objects (for results of 100k rows). */
export function bulkHandlesFixture(size: number, seed: number, bulkHandles: number): Promise<WindowsFixture> {
  return executeServerCommand('windows-image', { size, seed, bulkHandles }) as Promise<WindowsFixture>;
}

/** Rows of the built UI are at most this tall (20 px + a 1 px rule); the grids are sized to show every row. */
const ROW_PX = 21;

let frames = 0;

/** The built app (`/dist/index.html`, `npm run build`) in an iframe of the test page, used the way a person would. */
export class AppFrame {
  private constructor(
    readonly element: HTMLIFrameElement,
    readonly name: string,
  ) {}

  /** Loads the app in a fresh iframe: its own engine worker and scan workers. */
  static async open(): Promise<AppFrame> {
    const element = document.createElement('iframe');
    const name = `memscope-app-${++frames}`;
    element.name = name;
    element.style.cssText = 'width: 1200px; height: 1000px';
    element.src = '/dist/index.html';
    const loaded = new Promise((resolve) => element.addEventListener('load', resolve, { once: true }));
    document.body.append(element);
    await loaded;
    const frame = new AppFrame(element, name);
    await waitFor(() => frame.find('button.sample'), 'the start page (is dist/ built?)', 8000);
    return frame;
  }

  get document(): Document {
    return this.element.contentDocument!;
  }

  /** Element inside the app's shadow DOM: each step is looked up in the previous match's shadow root. */
  find(...steps: string[]): HTMLElement | null {
    return pierce(this.document, 'memscope-app', ...steps);
  }

  /** Picks the image in the drop zone's file input: a disk-backed File, as a user's would be. */
  async chooseImage(path: string): Promise<void> {
    await this.upload('memscope-app >>>> drop-zone >>>> input[type=file]', path);
  }

  /** The symbol request, once the opened image needs symbols the browser has not stored. */
  symbolRequest(): HTMLElement | null {
    return this.find('symbol-request');
  }

  /** Adds a symbol pack through the symbol request's file input. */
  async addSymbols(path: string): Promise<void> {
    await this.upload('memscope-app >>>> symbol-request >>>> drop-zone >>>> input[type=file]', path);
  }

  /** Adds symbol files through the symbols panel's input (e.g. a driver's, such as tcpip.pdb's, beside the kernel's). */
  async addPanelSymbols(path: string): Promise<void> {
    await this.upload('memscope-app >>>> symbols-panel >>>> drop-zone >>>> input[type=file]', path);
  }

  /** Adds a plugin module through the plugin panel's "Add plugin…" input. */
  async addPlugin(path: string): Promise<void> {
    await this.upload('memscope-app >>>> plugin-picker >>>> .third-party input[type=file]', path);
  }

  /** Text of the image summary once the image `fileName` is open (and `until` holds for it). */
  async summaryText(fileName: string, until: (text: string) => boolean = () => true, timeoutMs = 15000): Promise<string> {
    return waitFor(
      () => {
        this.throwOnFailure();
        const text = this.find('image-summary')?.shadowRoot?.textContent ?? '';
        return !this.find('.status progress') && text.includes(fileName) && until(text) ? text : undefined;
      },
      `summary of ${fileName}`,
      timeoutMs,
    );
  }

  /** Selects a plugin in the picker, types `values` into its option fields and presses Run, without waiting for the run. */
  async startRun(plugin: string, values: Readonly<Record<string, string>> = {}): Promise<void> {
    (await waitFor(() => this.find('plugin-picker', `button[data-plugin="${plugin}"]`), `${plugin} in the plugin list`)).click();
    for (const [name, value] of Object.entries(values)) {
      const field = await waitFor(
        () => this.find('plugin-picker', `[name="${name}"]`) as HTMLInputElement | HTMLTextAreaElement | null,
        `option ${name}`,
      );
      field.value = value;
      field.dispatchEvent(new Event('input'));
    }
    const submit = await waitFor(() => {
      const button = this.find('plugin-picker', 'button[type=submit]');
      return button?.textContent?.includes(plugin) && !(button as HTMLButtonElement).disabled ? button : undefined;
    }, `Run ${plugin}`);
    submit.click();
  }

  /** Runs a plugin from the picker and waits for it to finish; returns its result-table or process-tree. */
  async run(plugin: string, timeoutMs = 20000, values: Readonly<Record<string, string>> = {}): Promise<HTMLElement> {
    await this.startRun(plugin, values);
    await waitFor(
      () => {
        this.throwOnFailure();
        // Until this run's result shows, the previous one's may.
        if (this.find('.result-head h2')?.textContent !== plugin) return false;
        const state = this.find('.result-state')?.textContent ?? '';
        if (state.includes('failed')) throw new Error(`${plugin} failed: ${this.find('error-message')?.shadowRoot?.textContent}`);
        return state.includes('rows in');
      },
      `${plugin} to finish`,
      timeoutMs,
    );
    return waitFor(() => this.find('result-table') ?? this.find('process-tree'), `${plugin} results`);
  }

  /**
   * Every row of a result grid, top to bottom: grows the grids (--ms-grid-height) until the virtualizer
   * renders all the rows the filter shows.
   */
  async allRows(grid: HTMLElement): Promise<HTMLElement[]> {
    const { shown } = rowCount(grid);
    this.document.documentElement.style.setProperty('--ms-grid-height', `${(shown + 2) * ROW_PX}px`);
    this.element.style.height = `${1000 + (shown + 2) * ROW_PX}px`;
    const rows = await waitFor(() => {
      const rendered = [...(grid.shadowRoot?.querySelectorAll<HTMLElement>('.grid-row') ?? [])];
      return rendered.length === shown ? rendered : undefined;
    }, `all ${shown} rows rendered`);
    // The virtualizer positions rows itself; their order in the DOM need not be the order on screen.
    return rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
  }

  /** The visible cells of every row of a grid, by column name. */
  async records(grid: HTMLElement): Promise<Record<string, string>[]> {
    const names = [...grid.shadowRoot!.querySelectorAll('[role=columnheader]')].map((h) => h.textContent!.replace(/[▲▼]/g, '').trim());
    return (await this.allRows(grid)).map((row) => Object.fromEntries(cellTexts(row).map((text, i) => [names[i]!, text.trim()])));
  }

  /** The error the app shows, once it shows one (and `includes` is in it); dismissed when `dismiss`. */
  async failureText(includes = '', timeoutMs = 15000): Promise<string> {
    return waitFor(
      () => {
        const text = this.find('error-message')?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
        return text.includes(includes) ? text || undefined : undefined;
      },
      `an error with "${includes}"`,
      timeoutMs,
    );
  }

  /** Presses the shown error's Dismiss. */
  dismissFailure(): void {
    pierce(this.find('error-message')!, 'button')!.click();
  }

  close(): void {
    this.element.remove();
  }

  private async upload(selector: string, path: string): Promise<void> {
    await executeServerCommand('upload-file', { frame: this.name, selector, path });
  }

  private throwOnFailure(): void {
    const failure = this.find('error-message');
    if (failure) throw new Error(`the app shows an error: ${failure.shadowRoot?.textContent?.trim()}`);
  }
}

/** The grid's "N rows (M shown)" line. */
export function rowCount(grid: HTMLElement): { total: number; shown: number } {
  const text = grid.shadowRoot?.querySelector('.count')?.textContent ?? '';
  const m = /(\d+) rows \((\d+) shown\)/.exec(text);
  if (!m) throw new Error(`no row count in "${text}"`);
  return { total: Number(m[1]), shown: Number(m[2]) };
}

/** Types into a result-table's filter box. */
export async function filterTable(table: HTMLElement, query: string): Promise<void> {
  const input = table.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
  input.value = query;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await (table as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
}

/** Text of a grid row's cells. */
export function cellTexts(row: Element): string[] {
  return [...row.querySelectorAll('[role=gridcell]')].map((cell) => cell.textContent ?? '');
}

/**
 * The built app with a generated Windows image open and its symbol pack added (this browser's stores emptied first,
 * so that nothing comes from an earlier test).
 */
export async function openGeneratedWindows(fixture: WindowsFixture): Promise<AppFrame> {
  await deleteDatabase(SYMBOL_DB);
  await deleteDatabase(DISCOVERY_DB);
  await deleteDatabase(RESULTS_DB);
  const app = await AppFrame.open();
  const fileName = fixture.image.split('/').pop()!;
  await app.chooseImage(fixture.image);
  await app.summaryText(fileName, (text) => text.includes('discovered from the image'));
  await app.addSymbols(fixture.symbols);
  await app.summaryText(fileName, (text) => !text.includes('discovered from the image'));
  return app;
}
