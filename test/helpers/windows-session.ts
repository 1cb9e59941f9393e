import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session, type SessionEnv } from '../../src/engine/session.ts';
import { MemorySource } from '../../src/io/memory-source.ts';
import type { CountedWarning, PluginOptions, PluginRow } from '../../src/plugins/plugin.ts';
import { buildWindowsImage, type BuiltWindowsImage, type WindowsImageOptions } from '../fixtures/windows/generate.ts';
import { REPO_SYMBOLS } from '../fixtures/windows/isf.ts';
import { untracked } from './untracked.ts';

const images = new Map<string, Promise<BuiltWindowsImage>>();

/** A generated image, built once per option set for the whole test file. */
export function windowsImage(options: WindowsImageOptions = {}): Promise<BuiltWindowsImage> {
  const key = JSON.stringify(options);
  let image = images.get(key);
  if (!image) images.set(key, (image = buildWindowsImage(options)));
  return image;
}

export async function openWindowsSession(image: Uint8Array, env: Partial<SessionEnv> & { symbolDirs?: string[] } = {}): Promise<Session> {
  const base = await createNodeEnv({ symbolDirs: env.symbolDirs ?? [REPO_SYMBOLS], cache: false });
  return untracked(() => openSession(new MemorySource(image, 'generated.raw'), { ...base, ...env }));
}

export async function collect(session: Session, plugin: string, options: PluginOptions = {}): Promise<PluginRow[]> {
  return (await collectRun(session, plugin, options)).rows;
}

/** A plugin's rows and the warnings of that run. */
export async function collectRun(
  session: Session,
  plugin: string,
  options: PluginOptions = {},
): Promise<{ rows: PluginRow[]; warnings: readonly CountedWarning[] }> {
  const run = session.run(plugin, options, {});
  const rows: PluginRow[] = [];
  await untracked(async () => {
    for await (const row of run) rows.push(row);
  });
  return { rows, warnings: run.warnings };
}

/** Volatility reports FILETIMEs at whole seconds: "2024-03-05T10:11:12+00:00". */
export function toVolatilityTime(iso: string | null): string | null {
  return iso === null ? null : iso.replace(/\.\d+Z$/, '+00:00').replace(/Z$/, '+00:00');
}

export const hexBig = (h: string): bigint => BigInt(h);
