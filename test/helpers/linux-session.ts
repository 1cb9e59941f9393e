import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session, type SessionEnv } from '../../src/engine/session.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import type { Cell, CountedWarning, PluginOptions } from '../../src/plugins/plugin.ts';
import { linuxFixtureFile } from './linux-fixture.ts';
import { untracked } from './untracked.ts';
import { collect, collectRun } from './windows-session.ts';

export type LinuxCapture = 'linux-a.raw' | 'linux-a.elf' | 'linux-a.lime' | 'linux-a.kdump';
export const LINUX_CAPTURES: readonly LinuxCapture[] = ['linux-a.raw', 'linux-a.elf', 'linux-a.lime', 'linux-a.kdump'];

/** A session on one capture of the real Linux fixture, with no symbol directory (BTF + kallsyms only). */
export async function openLinuxSession(capture: LinuxCapture, env: Partial<SessionEnv> & { symbolDirs?: string[] } = {}): Promise<Session> {
  const base = await createNodeEnv({ symbolDirs: env.symbolDirs ?? [], cache: false });
  const source = await NodeFileSource.open(await linuxFixtureFile(capture));
  return untracked(() => openSession(source, { ...base, ...env }));
}

export { collect, collectRun };

/** Rows keyed by column name (the plugin's columns for these options). */
export async function rowsByColumn(session: Session, plugin: string, options: PluginOptions = {}): Promise<Record<string, Cell>[]> {
  return (await runByColumn(session, plugin, options)).rows;
}

/** Rows keyed by column name, and the warnings of that run. */
export async function runByColumn(
  session: Session,
  plugin: string,
  options: PluginOptions = {},
): Promise<{ rows: Record<string, Cell>[]; warnings: readonly CountedWarning[] }> {
  const info = session.plugins().find((p) => p.name === plugin)!;
  const { rows, warnings } = await collectRun(session, plugin, options);
  const columns = rows.length && rows[0]!.values.length !== info.columns.length ? undefined : info.columns.map((c) => c.name);
  if (!columns) throw new Error(`${plugin} with options ${JSON.stringify(options)} has other columns than its default ones`);
  return { rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r.values[i]!]))), warnings };
}
