import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Code for either host: the globals src/engine-globals.d.ts and src/wasm-globals.d.ts declare for the engine. */
const CROSS_HOST = `
export async function probe(bytes: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  await crypto.subtle.digest('SHA-256', bytes);
  await WebAssembly.instantiate(bytes, {});
  return new TextDecoder('utf-16le').decode(bytes) + btoa('x');
}
`;
const USES_DOM = `export const title: string = document.title;\n`;
const USES_NODE = `import { readFileSync } from 'node:fs';\nexport const bytes = readFileSync(process.argv[1]!);\n`;
const PROBES = { 'cross-host.ts': CROSS_HOST, 'uses-dom.ts': USES_DOM, 'uses-node.ts': USES_NODE };

function parseConfig(name: string): ts.ParsedCommandLine {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, name), undefined, host);
  assert.ok(parsed && parsed.errors.length === 0, `${name} does not parse`);
  return parsed;
}

/**
 * The errors of each probe file (written to a temporary directory) when checked with `config`'s options and its
 * declaration files (host globals, untyped packages); its other sources are left to `npm run typecheck`.
 */
function probeErrors(config: string): Record<keyof typeof PROBES, string[]> {
  const parsed = parseConfig(config);
  const dir = mkdtempSync(join(tmpdir(), 'memscope-boundary-'));
  const probes = Object.entries(PROBES).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  const declarations = parsed.fileNames.filter((f) => f.endsWith('.d.ts'));
  const program = ts.createProgram({ rootNames: [...declarations, ...probes], options: parsed.options });
  const errors = Object.fromEntries(Object.keys(PROBES).map((name) => [name, [] as string[]])) as Record<keyof typeof PROBES, string[]>;
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file && probes.includes(d.file.fileName) ? (basename(d.file.fileName) as keyof typeof PROBES) : undefined;
    assert.ok(name, `an error outside the probes: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    errors[name].push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return errors;
}

describe('TypeScript configs keep each part of src to its host', () => {
  it('engine (tsconfig.engine.json): its declared cross-host globals, no DOM, no Node', () => {
    const errors = probeErrors('tsconfig.engine.json');
    assert.deepEqual(errors['cross-host.ts'], []);
    assert.equal(errors['uses-dom.ts'].length, 1);
    assert.match(errors['uses-dom.ts'][0]!, /Cannot find name 'document'/);
    assert.ok(
      errors['uses-node.ts'].some((e) => /Cannot find module 'node:fs'/.test(e)),
      errors['uses-node.ts'].join('\n'),
    );
    assert.ok(
      errors['uses-node.ts'].some((e) => /Cannot find name 'process'/.test(e)),
      errors['uses-node.ts'].join('\n'),
    );
  });

  it('browser (tsconfig.browser.json): DOM, no Node', () => {
    const errors = probeErrors('tsconfig.browser.json');
    assert.deepEqual(errors['cross-host.ts'], []);
    assert.deepEqual(errors['uses-dom.ts'], []);
    assert.ok(
      errors['uses-node.ts'].some((e) => /Cannot find module 'node:fs'/.test(e)),
      errors['uses-node.ts'].join('\n'),
    );
  });

  it('Node (tsconfig.node.json): Node, no DOM', () => {
    const errors = probeErrors('tsconfig.node.json');
    assert.deepEqual(errors['cross-host.ts'], []);
    assert.deepEqual(errors['uses-node.ts'], []);
    assert.match(errors['uses-dom.ts'].join('\n'), /Cannot find name 'document'/);
  });

  it('no package the engine imports brings in Node typings or the DOM library with its types', () => {
    const parsed = parseConfig('tsconfig.engine.json');
    assert.ok(
      parsed.fileNames.every((f) => !/\/src\/(ui|worker|browser|cli|node|build)\//.test(f)),
      'host code in the engine config',
    );
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    const hostTypings = program
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => /\/@types\/node\/|\/lib\.(dom|webworker)[.a-z]*\.d\.ts$/.test(f));
    assert.deepEqual(hostTypings, []);
  });
});
