import satisfies from 'semver/functions/satisfies.js';
import valid from 'semver/functions/valid.js';
import { MemscopeError } from '../errors.ts';
import type { OsName, PluginDefinition } from '../plugins/plugin-definition.ts';
import { findPlugin } from '../plugins/registry.ts';

/** One requirement a plugin cannot have here: a short reason for lists, and the error a run gets. */
export interface Unmet {
  readonly reason: string;
  readonly error: MemscopeError;
}

/** What the image offers: undefined when its `os` kernel is ready (also with a table discovered in the image, if `discovered` is fine), else why not. */
export type KernelCheck = (os: OsName, discovered: boolean) => Unmet | undefined;

/**
 * Every unmet requirement of `plugin`, its dependencies' included (each reason once). Dependencies are looked up
 * in `plugins` and must satisfy the declared semver range; a dependency cycle is unmet, not a hang.
 */
export function unmetRequirements(plugin: PluginDefinition, plugins: readonly PluginDefinition[], kernel: KernelCheck): Unmet[] {
  const found = new Map<string, Unmet>();
  const visited = new Set<string>();
  const visit = (p: PluginDefinition, path: readonly string[]) => {
    for (const r of p.requirements) {
      const problems = r.kind === 'kernel' ? [kernel(r.os, r.discoveredSymbols === true)] : [dependency(r.name, r.version, path)];
      for (const u of problems) if (u && !found.has(u.reason)) found.set(u.reason, u);
    }
  };
  const dependency = (name: string, range: string, path: readonly string[]): Unmet | undefined => {
    const dep = findPlugin(name, plugins);
    if (!dep) return dependencyUnmet(`needs plugin ${name} ${range}, which is not installed`);
    if (path.includes(name)) return dependencyUnmet(`requirement cycle: ${[...path, name].join(' → ')}`);
    if (!valid(dep.version) || !satisfies(dep.version, range)) return dependencyUnmet(`needs plugin ${name} ${range}; installed is ${dep.version}`);
    if (!visited.has(name)) {
      visited.add(name);
      visit(dep, [...path, name]);
    }
    return undefined;
  };
  visit(plugin, [plugin.name]);
  return [...found.values()];
}

/** The error a run of `plugin` gets: the one unmet requirement's own, or one naming them all. */
export function requirementsError(plugin: PluginDefinition, unmet: readonly Unmet[]): MemscopeError {
  if (unmet.length === 1) return unmet[0]!.error;
  return new MemscopeError(unmet[0]!.error.code, `${plugin.name} cannot run here: ${unmet.map((u) => u.reason).join('; ')}`);
}

function dependencyUnmet(reason: string): Unmet {
  return { reason, error: new MemscopeError('REQUIREMENTS_UNMET', reason) };
}
