import type { RegistryHive, RegistryKey, RegistryValue, VirtualMemory, WindowsKernelContext } from '../../../plugins/api.ts';
import type { Warn } from '../../../plugins/plugin.ts';
import { filetimeToIso } from '../filetime.ts';
import { HiveKeys, type KeyNode } from './hive-keys.ts';
import { type HiveObject, listHives, readHive } from './hive-list.ts';
import { HiveSpace } from './hive-space.ts';

/**
 * Where hive bins are mapped: since Windows 10 1803 in the user space of the Registry process (a child of System, PID
 * 4), else in the kernel's.
 */
export async function binSpace(kernel: WindowsKernelContext): Promise<VirtualMemory> {
  for await (const p of kernel.processes()) {
    if (p.name === 'Registry' && p.ppid === 4) return kernel.processSpace(p);
  }
  return kernel.vm;
}

/** One run's view of the registry: the hives, each hive's cell reader opened once, when first asked for. */
export class RegistryReader {
  private blocks?: Promise<VirtualMemory>;
  /** The hives given by hives() or hiveAt(); listing them reads none of their storage. */
  private readonly found = new Map<bigint, HiveObject>();
  private readonly opened = new Map<bigint, Promise<HiveKeys>>();

  constructor(
    private readonly kernel: WindowsKernelContext,
    private readonly warn: Warn,
  ) {}

  private published(hive: HiveObject): RegistryHive {
    this.found.set(hive.offset, hive);
    return { offset: hive.offset, name: hive.name };
  }

  async *hives(): AsyncIterable<RegistryHive> {
    for await (const hive of listHives(this.kernel, this.warn)) yield this.published(hive);
  }

  async hiveAt(offset: bigint): Promise<RegistryHive | null> {
    const hive = await readHive(this.kernel, offset);
    return hive && this.published(hive);
  }

  private keys(hive: RegistryHive): Promise<HiveKeys> {
    let keys = this.opened.get(hive.offset);
    if (!keys) {
      const object = this.found.get(hive.offset);
      if (!object) throw new Error(`hive 0x${hive.offset.toString(16)} was not given by hives() or hiveAt()`);
      this.blocks ??= binSpace(this.kernel);
      keys = this.blocks.then(async (blocks) => new HiveKeys(this.kernel, await HiveSpace.open(this.kernel, object, blocks), this.warn));
      this.opened.set(hive.offset, keys);
    }
    return keys;
  }

  private key(hive: RegistryHive, node: KeyNode): RegistryKey {
    return { hive, cell: node.index, name: node.name, lastWrite: filetimeToIso(node.lastWrite), volatile: node.volatile };
  }

  async root(hive: RegistryHive): Promise<RegistryKey | null> {
    const keys = await this.keys(hive);
    const node = await keys.key(keys.space.rootCell);
    if (!node)
      this.warn({ code: 'UNREADABLE', message: `${about(hive)}: the root key (cell 0x${keys.space.rootCell.toString(16)}) is not in memory` });
    return node && this.key(hive, node);
  }

  async subkeys(key: RegistryKey): Promise<RegistryKey[]> {
    const keys = await this.keys(key.hive);
    const node = await keys.key(key.cell);
    if (!node) return [];
    const what = `${about(key.hive)} key ${key.name} (cell 0x${key.cell.toString(16)})`;
    const out: RegistryKey[] = [];
    for (const index of await keys.subkeyIndexes(node, what)) {
      const sub = await keys.key(index);
      if (sub) out.push(this.key(key.hive, sub));
      else keys.warnMissing(what, index);
    }
    return out;
  }

  async values(key: RegistryKey): Promise<RegistryValue[]> {
    const keys = await this.keys(key.hive);
    const node = await keys.key(key.cell);
    if (!node) return [];
    return (await keys.values(node, `${about(key.hive)} key ${key.name} (cell 0x${key.cell.toString(16)})`)).map(({ name, type, data }) => ({
      name,
      type,
      data,
    }));
  }
}

const about = (hive: RegistryHive): string => `hive ${hive.name ?? `0x${hive.offset.toString(16)}`}`;
