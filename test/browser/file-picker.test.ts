import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/ui/drop-zone.ts';
import type { FilesChosenEvent } from '../../src/ui/drop-zone.ts';
import { equal } from './assert.ts';
import { clearBody, mount } from './dom.ts';

describe('drop-zone file picker', () => {
  afterEach(clearBody);

  it('hands over a disk-backed file chosen in the picker', async () => {
    const zone = mount(document.createElement('drop-zone'));
    zone.id = 'picker-under-test';
    await zone.updateComplete;
    const chosen = new Promise<File[]>((resolve) => zone.addEventListener('files-chosen', (e) => resolve((e as FilesChosenEvent).detail)));
    await executeServerCommand('upload-file', { selector: '#picker-under-test >>> input[type=file]', path: 'package.json' });
    const [file] = await chosen;
    equal(file!.name, 'package.json');
    const text = await file!.text();
    equal(JSON.parse(text).name, 'memscope');
  });
});
