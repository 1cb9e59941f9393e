// Node-only: opens files. Browser code must not import this module.
import { access } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ByteSource } from '../io/byte-source.ts';
import { hasExtension, type CompanionFiles } from '../io/companion-files.ts';
import { NodeFileSource } from './node-file-source.ts';

/**
 * An image's companions on disk: the files named on the command line (`--vmss PATH`) first, then those beside the
 * image with its stem (`X.vmem` → `X.vmss`). Each is opened once and closed with the image.
 */
export class NodeCompanions implements CompanionFiles {
  private readonly opened = new Map<string, NodeFileSource>();
  used = false;

  constructor(
    private readonly imagePath: string,
    private readonly named: readonly string[] = [],
  ) {}

  async find(extensions: readonly string[]): Promise<ByteSource | undefined> {
    const named = this.named.find((path) => extensions.some((e) => hasExtension(path, e)));
    if (named) return this.open(named);
    const stem = join(dirname(this.imagePath), basename(this.imagePath, extname(this.imagePath)));
    for (const extension of extensions) {
      for (const path of [stem + extension, stem + extension.toUpperCase()]) {
        if (
          await access(path).then(
            () => true,
            () => false,
          )
        )
          return this.open(path);
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    const files = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(files.map((f) => f.close()));
  }

  private async open(path: string): Promise<NodeFileSource> {
    let file = this.opened.get(path);
    if (!file) this.opened.set(path, (file = await NodeFileSource.open(path)));
    this.used = true;
    return file;
  }
}
