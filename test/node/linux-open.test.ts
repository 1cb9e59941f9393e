import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const skip = linuxFixtureSkipReason();

describe('the real Linux image opens as raw, ELF and LiME with format and sizes from its truth', { skip }, () => {
  for (const format of ['raw', 'elf', 'lime'] as const) {
    it(`linux-a.${format}`, async () => {
      const truth = linuxTruth();
      const path = await linuxFixtureFile(`linux-a.${format}`);
      const session = await openSession(await NodeFileSource.open(path), await createNodeEnv({ symbolDirs: [], cache: false }));
      const s = session.summary;
      // raw is flat memory (file offset = physical address): only the RAM range; ELF and LiME also carry the BIOS ROM range.
      const ranges = format === 'raw' ? truth.physical_ranges.slice(0, 1) : truth.physical_ranges;
      const captured = ranges.reduce((n, r) => n + Number(r.end) - Number(r.start) + 1, 0);
      assert.equal(s.format, format);
      assert.equal(s.fileSize, truth.files[`linux-a.${format}`]!.size);
      assert.equal(s.physicalSize, Number(ranges.at(-1)!.end) + 1);
      assert.equal(s.capturedBytes, captured);
      assert.equal(s.os, 'linux');
      await assert.rejects(
        (async () => {
          for await (const _ of session.run('windows.pslist', {}, {}));
        })(),
        (e) => isMemscopeError(e) && e.code === 'OS_NOT_FOUND' && e.message.includes(`linux-a.${format}`) && e.message.includes('Linux image'),
      );
      await session.close();
    });
  }
});
