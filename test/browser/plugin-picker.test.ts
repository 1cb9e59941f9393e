import type { ImagePluginInfo } from '../../src/engine/engine-api.ts';
import type { PluginOptions } from '../../src/plugins/plugin.ts';
import '../../src/ui/plugin-picker.ts';
import type { PluginFilesEvent, PluginPicker, RemovePluginEvent, RunPluginEvent } from '../../src/ui/plugin-picker.ts';
import { deepEqual, equal, ok } from './assert.ts';
import { mount, pierce, pierceAll, trapAlertsAndClear, waitFor } from './dom.ts';
import { HOSTILE_NAME, plugins } from './fixtures.ts';

const NO_SYMBOLS = 'needs the symbol table ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1 — drop it or use a symbol pack';
const [pslist, pstree] = plugins as [ImagePluginInfo, ImagePluginInfo];

/** A picker showing `list`, and the options of every run-plugin event it fires. */
async function picker(list: readonly ImagePluginInfo[]): Promise<{ element: PluginPicker; runs: { plugin: string; options: PluginOptions }[] }> {
  const element = mount(document.createElement('plugin-picker'));
  element.plugins = list;
  const runs: { plugin: string; options: PluginOptions }[] = [];
  element.addEventListener('run-plugin', (e) => runs.push((e as RunPluginEvent).detail));
  await element.updateComplete;
  return { element, runs };
}

async function choose(element: PluginPicker, name: string): Promise<void> {
  (await waitFor(() => pierce(element, `button[data-plugin="${name}"]`), name)).click();
  await element.updateComplete;
}

const runButton = (element: PluginPicker) => pierce(element, 'button[type=submit]') as HTMLButtonElement;

async function type(element: PluginPicker, name: string, text: string): Promise<void> {
  const input = pierce(element, `[name="${name}"]`) as HTMLInputElement | HTMLSelectElement;
  input.value = text;
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  await element.updateComplete;
}

describe('plugin-picker', () => {
  const alerts = trapAlertsAndClear();

  it('greys out a plugin whose requirements are unmet, says why as text and enables it once the list says it can run', async () => {
    const { element, runs } = await picker([{ ...pslist, unmet: [NO_SYMBOLS, HOSTILE_NAME] }, pstree]);
    const entry = pierce(element, 'button[data-plugin="windows.pslist"]')!;
    equal(entry.getAttribute('aria-disabled'), 'true');
    equal(pierce(element, 'button[data-plugin="windows.pstree"]')!.hasAttribute('aria-disabled'), false, 'a runnable plugin is not greyed');
    entry.focus();
    equal(element.shadowRoot!.activeElement, entry, 'a greyed entry can still be focused');

    await choose(element, 'windows.pslist');
    equal(entry.getAttribute('aria-pressed'), 'true', 'a greyed entry can still be selected');
    deepEqual(
      pierceAll(element, '.unmet li').map((li) => li.textContent),
      [NO_SYMBOLS, HOSTILE_NAME],
    );
    ok(pierce(element, '.unmet')!.checkVisibility(), 'the reasons are visible, not only a tooltip');
    equal(element.shadowRoot!.querySelectorAll('img').length, 0, 'a reason is text, never markup');
    const run = runButton(element);
    equal(run.disabled, true);
    equal(run.getAttribute('aria-describedby'), 'unmet');
    equal(element.shadowRoot!.getElementById('unmet'), pierce(element, '.unmet'), 'Run is described by the reasons');
    run.click();
    (pierce(element, 'form') as HTMLFormElement).requestSubmit();
    await new Promise((r) => setTimeout(r, 20));
    deepEqual(runs, [], 'no run of a plugin that cannot run');

    element.plugins = [pslist, pstree];
    await element.updateComplete;
    equal(entry.hasAttribute('aria-disabled'), false);
    equal(pierce(element, '.unmet'), null);
    equal(runButton(element).disabled, false);
    runButton(element).click();
    await waitFor(() => runs.length === 1, 'run after the list changed');
    deepEqual(runs, [{ plugin: 'windows.pslist', options: { physical: false } }]);
    deepEqual(alerts, [], 'no script ran');
  });

  it('renders a <select> for an option with choices and takes "4, 8" or "4 8" for a multiple integer option', async () => {
    const sockets: ImagePluginInfo = {
      ...pslist,
      name: 'linux.sockstat',
      options: [
        { name: 'pid', type: 'int', multiple: true, description: 'Only these processes' },
        { name: 'proto', type: 'str', choices: ['tcp', 'udp', HOSTILE_NAME], description: 'Only this protocol' },
        { name: 'family', type: 'str', choices: ['inet', 'inet6'], default: 'inet6', description: 'Address family' },
      ],
    };
    const { element, runs } = await picker([sockets]);
    await choose(element, 'linux.sockstat');
    const optionsOf = (name: string) => pierceAll(element, `select[name=${name}] option`).map((o) => [(o as HTMLOptionElement).value, o.textContent]);
    deepEqual(optionsOf('proto'), [
      ['', '(any)'],
      ['tcp', 'tcp'],
      ['udp', 'udp'],
      [HOSTILE_NAME, HOSTILE_NAME],
    ]);
    equal((pierce(element, 'select[name=proto]') as HTMLSelectElement).value, '', 'no choice made: the option is unset');
    deepEqual(
      optionsOf('family'),
      [
        ['inet', 'inet'],
        ['inet6', 'inet6'],
      ],
      'an option with a default offers no blank',
    );
    equal((pierce(element, 'select[name=family]') as HTMLSelectElement).value, 'inet6');
    equal(element.shadowRoot!.querySelectorAll('img').length, 0);

    await type(element, 'pid', '4, 8');
    runButton(element).click();
    await waitFor(() => runs.length === 1, 'first run');
    await type(element, 'pid', '4 8');
    await type(element, 'proto', 'udp');
    await type(element, 'family', 'inet');
    runButton(element).click();
    await waitFor(() => runs.length === 2, 'second run');
    deepEqual(
      runs.map((r) => r.options),
      [
        { family: 'inet6', pid: [4, 8] },
        { family: 'inet', pid: [4, 8], proto: 'udp' },
      ],
    );

    await type(element, 'pid', '4, eight');
    runButton(element).click();
    await waitFor(() => pierce(element, '.error'), 'option error');
    equal(pierce(element, '.error')!.textContent, '--pid needs a non-negative integer (decimal or 0x hex), got "eight"');
    equal(runs.length, 2);
  });

  it('marks third-party plugins with a badge and their file (as text), offers Remove and Add plugin…, and lists modules that fail', async () => {
    const thirdParty: ImagePluginInfo = { ...pstree, name: 'community.masquerade', description: HOSTILE_NAME, origin: `${HOSTILE_NAME}.mjs` };
    const { element } = await picker([pslist, thirdParty]);
    equal(pierce(element, '.third-party'), null, 'no Add plugin… without third-party plugins');
    element.canAdd = true;
    element.brokenModules = [
      { fileName: 'old.mjs', failure: { code: 'BAD_PLUGIN', message: 'old.mjs: a plugin named windows.pslist is already loaded' } },
    ];
    await element.updateComplete;

    const entry = pierce(element, 'button[data-plugin="community.masquerade"]')!;
    equal(entry.querySelector('.badge')?.textContent, 'third-party');
    equal(entry.querySelector('.origin')?.textContent, `from ${HOSTILE_NAME}.mjs`);
    equal(pierce(element, 'button[data-plugin="windows.pslist"]')!.querySelector('.badge'), null, "memscope's own carry no badge");
    ok(
      pierce(element, '[data-broken="old.mjs"]')!.textContent!.includes('a plugin named windows.pslist is already loaded'),
      'a module that fails says why',
    );
    equal(element.shadowRoot!.querySelectorAll('img').length, 0, 'plugin-provided text is text');

    const removed: string[] = [];
    const added: File[][] = [];
    element.addEventListener('remove-plugin', (e) => removed.push((e as RemovePluginEvent).detail));
    element.addEventListener('plugin-files', (e) => added.push((e as PluginFilesEvent).detail));
    pierce(element, `button[data-remove="${HOSTILE_NAME}.mjs"]`)!.click();
    pierce(element, 'button[data-remove="old.mjs"]')!.click();
    deepEqual(removed, [`${HOSTILE_NAME}.mjs`, 'old.mjs']);

    const input = pierce(element, '.third-party input[type=file]') as HTMLInputElement;
    equal(input.accept, '.mjs,.js');
    const picked = new DataTransfer();
    picked.items.add(new File(['export default {};'], 'mine.mjs'));
    input.files = picked.files;
    input.dispatchEvent(new Event('change'));
    deepEqual(
      added.map((files) => files.map((f) => f.name)),
      [['mine.mjs']],
    );
    deepEqual(alerts, [], 'no script ran');
  });
});
