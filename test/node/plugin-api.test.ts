import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';
import type * as Published from '../../src/plugins/api.ts';
import type { KernelAccessors } from '../../src/os/registry.ts';
import type { OsName, PluginContext, PluginDefinition, PluginRecord, Requirement } from '../../src/plugins/plugin-definition.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = join(ROOT, 'dist/plugin');
const EXAMPLE = join(ROOT, 'test/plugins/masquerade.mjs');

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assignable<From, To> = [From] extends [To] ? true : false;
type Holds<T extends true> = T;
/**
 * Checked when this file compiles (npm run typecheck): the engine's plugin types are the published ones
 * (src/plugins/api.ts), which memscope's own plugins are written against too. The same OS ids as the registry's,
 * the same context, requirements and records; each registered OS's run context is the published one of that OS; a
 * plugin written against the published types is one the engine runs.
 */
export type PublishedTypesHold = [
  Holds<Same<Published.OsName, OsName>>,
  Holds<Same<Published.PluginContext, PluginContext>>,
  Holds<Same<Published.Requirement, Requirement>>,
  Holds<Same<Published.PluginRecord, PluginRecord>>,
  Holds<Assignable<KernelAccessors, Pick<Published.PluginContext, OsName>>>,
  Holds<Assignable<Published.PluginDefinition, PluginDefinition>>,
];

/** A plugin author's checkJs settings; ES2022 alone, so the declarations must not lean on DOM or Node types. */
const AUTHOR_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: true,
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
  skipLibCheck: false,
};

/** Each root file's errors, checked together as a plugin author's project. */
function check(files: readonly string[]): { errors: Map<string, string[]>; program: ts.Program } {
  const program = ts.createProgram({ rootNames: files, options: AUTHOR_OPTIONS });
  const errors = new Map(files.map((f) => [basename(f), [] as string[]]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const list = d.file && errors.get(basename(d.file.fileName));
    assert.ok(list, `an error outside the plugin files: ${d.file?.fileName ?? ''} ${text}`);
    list.push(text);
  }
  return { errors, program };
}

/** A variant of the example plugin with `from` replaced by `to`. */
function variant(from: string | RegExp, to: string): string {
  const source = readFileSync(EXAMPLE, 'utf8');
  const changed = source.replace(from, to);
  assert.notEqual(changed, source, `the example no longer has ${from}`);
  return changed;
}

describe('published plugin types (memscope/plugin)', () => {
  it('are built as declarations that import nothing beyond themselves', () => {
    assert.ok(existsSync(join(TYPES, 'api.d.ts')), `${TYPES}/api.d.ts is missing: run npm run build first`);
    const files = readdirSync(TYPES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
    assert.ok(files.includes(join('api', 'windows.d.ts')) && files.includes(join('api', 'linux.d.ts')), 'the OS contexts are published');
    for (const file of files) {
      const text = readFileSync(join(TYPES, file), 'utf8');
      for (const m of text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)) {
        const specifier = m[1] ?? m[2]!;
        assert.ok(specifier.startsWith('.'), `${file} imports the package ${specifier}`);
        assert.ok(
          existsSync(join(TYPES, dirname(file), specifier.replace(/\.ts$/, '.d.ts'))),
          `${file} imports ${specifier}, which is not published`,
        );
      }
    }
  });

  it('typecheck the example plugin in place (checkJs, strict), from the built declarations only', () => {
    const { errors, program } = check([EXAMPLE]);
    assert.deepEqual(errors.get('masquerade.mjs'), []);
    const used = program.getSourceFiles().map((f) => f.fileName);
    assert.ok(used.includes(join(TYPES, 'api.d.ts').replaceAll('\\', '/')), 'memscope/plugin did not resolve to dist/plugin/api.d.ts');
    assert.deepEqual(
      used.filter((f) => f.includes('/src/')),
      [],
      'memscope sources were read',
    );
  });

  it('catch mistakes in a plugin of an author who installed memscope from a clone', () => {
    const project = mkdtempSync(join(tmpdir(), 'memscope-plugin-author-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules/memscope'), 'dir');
    const files = {
      'good.mjs': readFileSync(EXAMPLE, 'utf8'),
      'column-type.mjs': variant("{ name: 'PID', type: 'int' }", "{ name: 'PID', type: 'integer' }"),
      'no-version.mjs': variant(/\n {2}version: '1\.0\.0',/, ''),
      'bad-warning.mjs': variant('const processes = [];', "ctx.warn({ code: 'BROKEN', message: 'x' });\n    const processes = [];"),
      'kernel-reads.mjs': variant(
        'const processes = [];',
        "const nt = await ctx.windows();\n    for await (const p of nt.processes()) void (await nt.readStruct('_PEB', p.view.u64('Peb'), nt.processSpace(p)))?.u8('BeingDebugged');\n    const processes = [];",
      ),
      'kernel-typo.mjs': variant(
        'const processes = [];',
        'for await (const p of (await ctx.windows()).processes()) void p.pidd;\n    const processes = [];',
      ),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
    const { errors } = check(Object.keys(files).map((name) => join(project, name)));
    assert.deepEqual(errors.get('good.mjs'), []);
    assert.match(errors.get('column-type.mjs')!.join('\n'), /"integer"' is not assignable to type 'ColumnType'/);
    assert.match(errors.get('no-version.mjs')!.join('\n'), /Property 'version' is missing/);
    assert.match(errors.get('bad-warning.mjs')!.join('\n'), /"BROKEN"' is not assignable to type 'WarningCode'/);
    assert.deepEqual(errors.get('kernel-reads.mjs'), []);
    assert.match(errors.get('kernel-typo.mjs')!.join('\n'), /Property 'pidd' does not exist on type 'WindowsProcess'/);
  });
});
