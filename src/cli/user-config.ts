import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeInternal, MemscopeError } from '../errors.ts';

/** What memscope reads from the user's config file; every field optional. */
export interface UserConfig {
  readonly umbrella?: { readonly key?: string; readonly baseUrl?: string };
}

/** ~/.config/memscope/config.json (or $XDG_CONFIG_HOME/memscope/config.json). */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'memscope', 'config.json');
}

/**
 * The user's config file, or {} when there is none. A file that cannot be read or is not the expected JSON is a
 * BAD_REQUEST naming it — and never quoting it: it holds API keys.
 */
export async function readUserConfig(path: string): Promise<UserConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MemscopeError(
      'BAD_REQUEST',
      `the config file cannot be read (${(e as NodeJS.ErrnoException).code ?? describeInternal(e).message})`,
      path,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it could be the key.
    throw new MemscopeError('BAD_REQUEST', 'the config file is not valid JSON', path);
  }
  const umbrella = isRecord(json) ? json['umbrella'] : undefined;
  const fine =
    isRecord(json) &&
    (umbrella === undefined ||
      (isRecord(umbrella) &&
        (umbrella['key'] === undefined || typeof umbrella['key'] === 'string') &&
        (umbrella['baseUrl'] === undefined || typeof umbrella['baseUrl'] === 'string')));
  if (!fine) throw new MemscopeError('BAD_REQUEST', 'the config file is not { "umbrella": { "key": "…", "baseUrl": "…" } }', path);
  return json as UserConfig;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
