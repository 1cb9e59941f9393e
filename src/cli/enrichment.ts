import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDomainList } from '../enrich/domain-list.ts';
import { domainColumnIndex } from '../enrich/enrich-rows.ts';
import { ListProvider } from '../enrich/list-provider.ts';
import type { DomainProvider, EnrichError } from '../enrich/provider.ts';
import { UMBRELLA_DEFAULT_URL, UmbrellaProvider } from '../enrich/umbrella.ts';
import { enrichUrl } from '../enrich/api-url.ts';
import { describeInternal, MemscopeError } from '../errors.ts';
import { webNetworkHost } from '../node/web-network-host.ts';
import { columnsFor, type PluginDefinition } from '../plugins/plugin-definition.ts';
import type { PluginOptions } from '../plugins/plugin.ts';
import { escapeControls } from '../render/terminal-text.ts';
import { readUserConfig, userConfigPath } from './user-config.ts';

/** What `--enrich` asked for: Umbrella Investigate (`--enrich-url`: another base URL), or a local domain list. */
export type EnrichRequest = { readonly kind: 'umbrella'; readonly baseUrl?: string } | { readonly kind: 'list'; readonly file: string };

/** The env var holding the Umbrella Investigate API key (before the config file's). */
export const UMBRELLA_KEY_VAR = 'MEMSCOPE_UMBRELLA_KEY';

/** `--enrich umbrella|list:FILE` and `--enrich-url URL` as a request (BAD_REQUEST when they make no sense). */
export function enrichRequest(enrich: string | undefined, url: string | undefined): EnrichRequest | undefined {
  if (enrich === undefined) {
    if (url !== undefined) throw new MemscopeError('BAD_REQUEST', '--enrich-url is for --enrich umbrella');
    return undefined;
  }
  if (enrich === 'umbrella') return { kind: 'umbrella', ...(url === undefined ? {} : { baseUrl: enrichUrl(url, '--enrich-url') }) };
  if (enrich.startsWith('list:') && enrich.length > 'list:'.length) {
    if (url !== undefined) throw new MemscopeError('BAD_REQUEST', '--enrich-url is for --enrich umbrella, not a list');
    return { kind: 'list', file: enrich.slice('list:'.length) };
  }
  throw new MemscopeError('BAD_REQUEST', `--enrich: "${enrich}" is neither umbrella nor list:FILE`);
}

/** Checks that `plugin`'s rows (with `options`) have a domain column to enrich by, and returns its name. */
export function enrichableColumn(plugin: PluginDefinition, options: PluginOptions, plugins: readonly PluginDefinition[]): string {
  const column = plugin.domainColumn;
  if (column !== undefined && domainColumnIndex(columnsFor(plugin, options), column) !== -1) return column;
  const able = plugins.filter((p) => p.domainColumn !== undefined).map((p) => p.name);
  const which = able.length > 0 ? `plugins with one: ${able.join(', ')}` : 'no plugin loaded has one';
  throw new MemscopeError('BAD_REQUEST', `--enrich: ${plugin.name} has no column of domain names to enrich (${which})`);
}

/** A provider ready to ask, with what to say when it fails, and notes to print before the rows. */
export interface OpenedEnrichment {
  readonly provider: DomainProvider;
  readonly notes: readonly string[];
  /** The stderr line for a provider failure. */
  failureLine(error: EnrichError): string;
}

/**
 * The provider `request` names, before the run: the list file read and parsed, or the Umbrella key found
 * (MEMSCOPE_UMBRELLA_KEY, else the config file's umbrella.key). What is missing or unreadable is a BAD_REQUEST.
 */
export async function openEnrichment(request: EnrichRequest, env: NodeJS.ProcessEnv = process.env): Promise<OpenedEnrichment> {
  if (request.kind === 'list') {
    let text: string;
    try {
      text = await readFile(request.file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? describeInternal(e).message;
      throw new MemscopeError('BAD_REQUEST', `--enrich list: the domain list cannot be read (${why})`, request.file);
    }
    const list = parseDomainList(text, request.file);
    const name = `list:${basename(request.file)}`;
    const notes =
      list.skipped > 0 ? [`${name}: ${list.skipped} lines hold no domain name and were skipped (the first: line ${list.firstSkipped})`] : [];
    return { provider: new ListProvider(name, list), notes, failureLine: failure('') };
  }
  const path = userConfigPath(env);
  const config = await readUserConfig(path);
  const fromEnv = env[UMBRELLA_KEY_VAR]?.trim();
  const key = fromEnv || config.umbrella?.key?.trim();
  if (!key)
    throw new MemscopeError(
      'BAD_REQUEST',
      `--enrich umbrella needs an Umbrella Investigate API key: set ${UMBRELLA_KEY_VAR}, or write {"umbrella": {"key": "…"}} to ${path}`,
    );
  const configured = config.umbrella?.baseUrl;
  const baseUrl = request.baseUrl ?? (configured === undefined ? UMBRELLA_DEFAULT_URL : enrichUrl(configured, `${path}: umbrella.baseUrl`));
  const keyFrom = fromEnv ? UMBRELLA_KEY_VAR : `umbrella.key in ${path}`;
  let provider: UmbrellaProvider;
  try {
    provider = new UmbrellaProvider({ key, baseUrl, host: webNetworkHost() });
  } catch (e) {
    throw new MemscopeError('BAD_REQUEST', `${describeInternal(e).message} (the key from ${keyFrom})`);
  }
  return { provider, notes: [], failureLine: failure(` (the key from ${keyFrom})`) };
}

function failure(keyHint: string): (error: EnrichError) => string {
  return (error) => {
    const hint = error.kind === 'key-rejected' ? keyHint : '';
    return `memscope: warning: enrichment failed, the rows are without it: ${escapeControls(error.message)}${hint}\n`;
  };
}
