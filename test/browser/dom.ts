/** DOM helpers for component tests. */

/** Polls until `probe` returns a truthy value (rendering, virtualizer layout, streamed rows). */
export async function waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 4000): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** querySelector that walks through shadow roots: each step is looked up in the previous match's shadow root. */
export function pierce(root: Element | Document, ...steps: string[]): HTMLElement | null {
  let current: Element | Document | null = root;
  for (const [i, step] of steps.entries()) {
    const scope: ParentNode | null | undefined = i === 0 && current.nodeType === Node.DOCUMENT_NODE ? current : (current as Element).shadowRoot;
    current = scope?.querySelector(step) ?? null;
    if (!current) return null;
  }
  return current as HTMLElement | null;
}

export function pierceAll(root: Element, ...steps: string[]): HTMLElement[] {
  const last = steps.pop()!;
  const host = steps.length ? pierce(root, ...steps) : root;
  return [...(host?.shadowRoot?.querySelectorAll<HTMLElement>(last) ?? [])];
}

/** Drops files on an element the way a browser does. */
export function dropFiles(target: Element, files: File[]): void {
  const data = new DataTransfer();
  for (const f of files) data.items.add(f);
  target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, composed: true, cancelable: true }));
}

/** Text of the cells of the rendered rows of a result-table / process-tree. */
export function renderedRows(grid: Element): string[][] {
  return [...(grid.shadowRoot?.querySelectorAll('.grid-row') ?? [])].map((row) =>
    [...row.querySelectorAll('[role=gridcell]')].map((cell) => cell.textContent ?? ''),
  );
}

export function mount<T extends HTMLElement>(element: T): T {
  document.body.append(element);
  return element;
}

export function clearBody(): void {
  document.body.replaceChildren();
}

/**
 * For a describe block: replaces window.alert with a recorder (a script injected through a memory string
 * would call it; a real dialog would block the page) and clears the body after each test. Returns the
 * recorded alerts.
 */
export function trapAlertsAndClear(): unknown[] {
  const alerts: unknown[] = [];
  const realAlert = window.alert;
  beforeEach(() => {
    alerts.length = 0;
    window.alert = (message?: unknown) => void alerts.push(message);
  });
  afterEach(() => {
    clearBody();
    window.alert = realAlert;
  });
  return alerts;
}

/**
 * Catches a download started by a page (this one, or the app in an iframe: `view`) instead of letting the browser
 * save it; the file may be written asynchronously (in a worker) after `action`.
 */
export async function captureDownload(action: () => void, view: Window & typeof globalThis = window): Promise<{ name: string; blob: Blob }> {
  const createObjectURL = view.URL.createObjectURL;
  const click = view.HTMLAnchorElement.prototype.click;
  let blob: Blob | undefined;
  let name = '';
  view.URL.createObjectURL = (b: Blob | MediaSource) => {
    blob = b as Blob;
    return 'blob:captured';
  };
  view.HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    name = this.download;
  };
  try {
    action();
    await waitFor(() => blob && name, 'a download', 15000).catch(() => undefined);
  } finally {
    view.URL.createObjectURL = createObjectURL;
    view.HTMLAnchorElement.prototype.click = click;
  }
  if (!blob) throw new Error('no download was started');
  return { name, blob };
}
