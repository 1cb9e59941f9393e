import type { ExpectedRegistryKey } from '../fixtures/windows/expected.ts';
import { AppFrame, openGeneratedWindows, windowsFixture, type WindowsFixture } from './app-frame.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { pierce, waitFor } from './dom.ts';

// The registry browser in the built app on a generated Windows image, against the generator's hives: the hive list,
// keys opened down to Run with its values, a persistence shortcut, the search by key name, a key whose cells are not
// in the image, and the key shown coming back from the URL. (The image of e2e-windows-system: generated once per run.)
const SIZE = 32 * 1024 * 1024;
const SEED = 11;

type Hive = WindowsFixture['expected']['registry']['hives'][number];

// The default kernel (Windows 10 19041, its table in the repository) and Windows 11 22000 (from the test data).
for (const build of [undefined, 22000])
  describe(`end to end: the registry browser in the built app (${build === undefined ? 'Windows 10 19041' : `Windows 11 ${build}`})`, function () {
    this.timeout(90000);
    let fixture: WindowsFixture;
    let app: AppFrame;
    let browser: HTMLElement;

    before(async function () {
      const generated = build === undefined ? await windowsFixture(SIZE, SEED) : await windowsFixture(SIZE, SEED, build);
      if ('skip' in generated) this.skip();
      fixture = generated as WindowsFixture;
      app = await openGeneratedWindows(fixture);
      app.find('button[data-tab=registry]')!.click();
      browser = await waitFor(() => app.find('registry-browser'), 'the registry browser');
      await waitFor(() => treeItems().length > 0, 'the hives', 20000);
    });

    after(() => app?.close());

    const hives = (): Hive[] => fixture.expected.registry.hives;
    const tree = (): HTMLElement => pierce(browser, 'registry-tree')!;
    const treeItems = (): HTMLElement[] => [...(tree()?.shadowRoot?.querySelectorAll<HTMLElement>('li[role=treeitem]') ?? [])];
    const itemId = (hive: Hive, path: readonly string[]) => `${hive.offset}|${path.join('\\')}`;
    const item = (hive: Hive, path: readonly string[]) => treeItems().find((li) => li.dataset['id'] === itemId(hive, path));
    const keyView = (): ShadowRoot => pierce(browser, 'registry-key-view')!.shadowRoot!;
    const heading = (): string => keyView().querySelector('h3')?.textContent ?? '';
    const printed = (hive: Hive, path: readonly string[]) => [hive.name || '[NONAME]', ...path].join('\\');
    const keyOf = (hive: Hive, path: readonly string[]): ExpectedRegistryKey => hive.keys.find((k) => k.path.join('\\') === path.join('\\'))!;
    /** The values the key view shows, once it shows the key (its heading) with its values read. */
    async function shownValues(hive: Hive, path: readonly string[]): Promise<string[][]> {
      await waitFor(
        () => heading() === printed(hive, path) && keyView().querySelector('result-table, .no-values, .not-resident'),
        `key ${path.join('\\')}`,
        20000,
      );
      const table = keyView().querySelector<HTMLElement>('result-table');
      if (!table) return [];
      return (await app.records(table)).map((r) => [r['Name']!, r['Type']!, r['Data']!]);
    }
    const expectedValues = (key: ExpectedRegistryKey): string[][] => key.values.map((v) => [v.name || '(Default)', v.type, v.data.split('\n')[0]!]);
    /** The hive holding a key at this path (with values). */
    const hiveWith = (tail: readonly string[], test: (h: Hive) => boolean = () => true): [Hive, ExpectedRegistryKey] => {
      for (const hive of hives().filter(test)) {
        const key = hive.keys.find((k) => k.resident && k.values.length > 0 && k.path.slice(-tail.length).join('\\') === tail.join('\\'));
        if (key) return [hive, key];
      }
      throw new Error(`the generator wrote no key ${tail.join('\\')}`);
    };

    it('lists the generator’s hives, in list order, with their file paths', async () => {
      const top = treeItems().filter((li) => li.getAttribute('aria-level') === '1');
      deepEqual(
        top.map((li) => li.dataset['id']),
        hives().map((h) => itemId(h, [])),
      );
      for (const [i, hive] of hives().entries()) if (hive.name) ok(top[i]!.title.includes(hive.name), `${hive.name} in ${top[i]!.title}`);
      equal(tree().shadowRoot!.querySelector('[role=tree]')!.getAttribute('aria-label'), 'Registry keys');
    });

    it('opens keys one by one down to Run and shows its values as printkey gives them, with its last write time', async () => {
      const [hive, run] = hiveWith(['Microsoft', 'Windows', 'CurrentVersion', 'Run'], (h) => !/ntuser/i.test(h.name));
      for (let depth = 0; depth < run.path.length; depth++) {
        const node = await waitFor(() => item(hive, run.path.slice(0, depth)), `key ${run.path.slice(0, depth).join('\\')} in the tree`, 20000);
        if (node.getAttribute('aria-expanded') !== 'true') node.querySelector<HTMLElement>('.twisty')!.click();
      }
      const node = await waitFor(() => item(hive, run.path), 'Run in the tree', 20000);
      node.click();
      deepEqual(await shownValues(hive, run.path), expectedValues(run));
      // In whole seconds, as printkey gives it (Volatility's time).
      equal(keyView().querySelector('.last-write')?.textContent, run.lastWrite.replace(/(\.\d+)?Z$/, '+00:00'));

      // By keyboard: Left goes to the parent and selects it; Down comes back.
      node.focus();
      node.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true, composed: true }));
      const parent = run.path.slice(0, -1);
      await waitFor(() => item(hive, parent)?.getAttribute('aria-selected') === 'true', 'the parent selected');
      equal(tree().shadowRoot!.activeElement, item(hive, parent), 'focus on the parent');
      await waitFor(() => heading() === printed(hive, parent), 'the parent shown');
    });

    it('labels a key whose cells are not in the image under its parent, and says so when the key is asked for', async () => {
      const [hive, missing] = (() => {
        for (const h of hives()) {
          const key = h.keys.find((k) => !k.resident && keyOf(h, k.path.slice(0, -1))?.resident);
          if (key) return [h, key] as const;
        }
        throw new Error('the generator wrote no non-resident key');
      })();
      const parent = missing.path.slice(0, -1);
      const count = hive.keys.filter(
        (k) => !k.resident && k.path.length === missing.path.length && k.path.slice(0, -1).join('\\') === parent.join('\\'),
      ).length;
      // Asked for through the URL, as a link or Back would: the deepest key found is shown, and why the rest is not.
      const view = app.element.contentWindow!;
      view.location.hash = `#pane=registry&hive=${hive.offset}&key=${encodeURIComponent(missing.path.join('\\'))}`;
      const notice = await waitFor(() => keyView().querySelector('.not-found')?.textContent, 'the not-found notice', 20000);
      ok(notice.includes(missing.path.join('\\')) && notice.includes('not in this hive') && notice.includes('may be one of them'), notice);
      equal(heading(), printed(hive, parent));
      ok(keyView().textContent!.includes(`${count} more not in memory`), 'the parent counts it');
      const line = await waitFor(
        () => treeItems().find((li) => li.classList.contains('missing') && li.dataset['id'] === `${itemId(hive, parent)}|missing`),
        'the placeholder line in the tree',
      );
      ok(line.textContent!.includes(`${count} subkey${count === 1 ? '' : 's'} not in memory`), line.textContent!);
      equal(line.getAttribute('aria-disabled'), 'true');
      equal(app.find('[role=alert], error-message'), null, 'no error');
    });

    it('jumps to a user’s Run key from its persistence shortcut', async () => {
      const [hive, run] = hiveWith(['Software', 'Microsoft', 'Windows', 'CurrentVersion', 'Run'], (h) => /ntuser\.dat$/i.test(h.name));
      const user = /\\Users\\([^\\]+)\\/i.exec(hive.name)![1]!;
      const button = [...browser.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.shortcut')].find((b) => b.textContent === `Run (${user})`);
      ok(button, `a Run (${user}) shortcut`);
      button!.click();
      deepEqual(await shownValues(hive, run.path), expectedValues(run));
      await waitFor(() => item(hive, run.path)?.getAttribute('aria-selected') === 'true', 'Run selected in the tree');
      await waitFor(() => app.element.contentWindow!.location.hash.includes(encodeURIComponent(run.path.join('\\'))), 'the key in the URL');
    });

    it('finds a key by (part of) its name in every hive and shows it', async () => {
      const [hive, key] = hiveWith(['ComputerName']);
      // Part of the name, in other letter cases.
      const name = key.path.at(-1)!.slice(2, -1).toUpperCase();
      const matching = hives().flatMap((h) => h.keys.filter((k) => k.resident && k.path.at(-1)?.toLowerCase().includes(name.toLowerCase())));
      const search = pierce(browser, 'registry-search')!;
      const input = search.shadowRoot!.querySelector<HTMLInputElement>('input[type=search]')!;
      input.value = name;
      search.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
      const hits = await waitFor(
        () => {
          const buttons = [...search.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.hit')];
          return buttons.length > 0 ? buttons : undefined;
        },
        'search hits',
        30000,
      );
      equal(hits.length, matching.length, `hits for ${name}: ${hits.map((b) => b.textContent).join(', ')}`);
      const hit = hits.find((b) => b.textContent!.endsWith(`\\${key.path.join('\\')}`))!;
      ok(hit, `${key.path.join('\\')} among the hits`);
      hit.click();
      deepEqual(await shownValues(hive, key.path), expectedValues(key));
      await waitFor(() => item(hive, key.path)?.getAttribute('aria-selected') === 'true', 'the key selected in the tree');
    });

    it('windows.registry.userassist in the page: the entries the generator wrote, their names decoded', async () => {
      const grid = await app.run('windows.registry.userassist', 30000);
      const names = (await app.records(grid)).filter((r) => r['Type'] === 'Value').map((r) => r['Name']!);
      const expected = hives().flatMap((h) =>
        h.keys.filter((k) => k.path.at(-1) === 'Count' && k.path.includes('UserAssist')).flatMap((k) => k.values.map((v) => v.userAssist!)),
      );
      ok(expected.length > 0, 'the generator wrote UserAssist entries');
      deepEqual([...names].sort(), [...expected].sort());
    });
  });
