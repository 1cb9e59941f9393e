import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCli } from '../../src/cli/args.ts';
import { createNodeEnv } from '../../src/cli/node-env.ts';
import { openSession, type Session } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import { NodeFileSource } from '../../src/node/node-file-source.ts';
import { YARA_CHUNK, YARA_OVERLAP } from '../../src/plugins/common/yara-scan.ts';
import { yaraCliMatches, yaraCliMissing } from '../helpers/yara-cli.ts';
import type { PluginOptions } from '../../src/plugins/plugin.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { collectRun, openWindowsSession, windowsImage } from '../helpers/windows-session.ts';

// Independent truth: the `yara` command-line tool (libyara 4, Debian's package) on the same file and rules.
const noYara = yaraCliMissing();
if (noYara && process.env['CI'] === 'true') it('the yara command is installed (CI=true)', () => assert.fail(noYara));

const PAGE = 0x1000;
const SIZE = YARA_CHUNK + 8 * 1024 * 1024;

const RULES = String.raw`
rule planted_text {
  strings:
    $straddle = "memscope-straddle-0123456789"
    $overlap = "memscope-overlap-marker"
    $wide = "MemScopeWide" wide
  condition:
    any of them
}

rule planted_bytes {
  strings:
    $mz = { 4D 5A 90 00 03 00 00 00 }
    $re = /evil-[0-9a-f]{8}\.example/
  condition:
    any of them
}
`;

/** Where the made-up image holds what: chosen to sit on the chunk and page boundaries the scan must not lose. */
const PLANTS: readonly [number, string | Uint8Array][] = [
  [0, Uint8Array.of(0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0)],
  // Crosses the first chunk's end, which is also a 4 KiB page boundary.
  [YARA_CHUNK - 10, 'memscope-straddle-0123456789'],
  // Starts in the second chunk but inside the bytes the first one reads past its end: found twice, reported once.
  [YARA_CHUNK + 100, 'memscope-overlap-marker'],
  // Starts in the second chunk and crosses the end of what the first one reads.
  [YARA_CHUNK + YARA_OVERLAP - 5, 'memscope-overlap-marker'],
  [5 * PAGE - 7, 'evil-0badc0de.example'],
  [3 * PAGE - 4, utf16('MemScopeWide')],
  [YARA_CHUNK + 3 * PAGE - 11, utf16('MemScopeWide')],
  [YARA_CHUNK + 12345, 'MEMSCOPE-OVERLAP-MARKER'],
  [SIZE - 8, Uint8Array.of(0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0)],
];

interface Hit {
  readonly offset: number;
  readonly rule: string;
  readonly component: string;
  readonly value: string;
}

let dir: string;
let image: string;
let bytes: Uint8Array;
let session: Session;

describe('yarascan.yarascan', { skip: noYara }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memscope-yara-'));
    bytes = madeUpImage();
    image = join(dir, 'image.raw');
    writeFileSync(image, bytes);
    session = await openSession(await NodeFileSource.open(image), await createNodeEnv({ symbolDirs: [], cache: false }));
  });
  after(async () => {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds what the yara command finds, each match once, across chunk and page boundaries', async () => {
    assert.equal(YARA_CHUNK % PAGE, 0, 'the chunk boundary is a page boundary');
    const hits = await yarascan(session, { 'yara-rules': RULES });
    assert.deepEqual(keys(hits), keys(yaraCli(RULES, image)));
    assert.ok(
      hits.every((h, i) => i === 0 || hits[i - 1]!.offset <= h.offset),
      'rows in address order',
    );
    assert.equal(new Set(hits.map(key)).size, hits.length, 'no match reported twice');
    for (const h of hits) assert.equal(h.value, hexPairs(bytes.subarray(h.offset, h.offset + h.value.split(' ').length)));
    const straddle = hits.find((h) => h.component === '$straddle');
    assert.ok(straddle && straddle.offset < YARA_CHUNK && straddle.offset + 28 > YARA_CHUNK, 'the match across the chunk end is found');
  });

  it('builds Volatility 3’s rule from --yara-string (text, --insensitive, --wide, hex)', async () => {
    const cases: [PluginOptions, string][] = [
      [{ 'yara-string': 'memscope-overlap-marker' }, '"memscope-overlap-marker"'],
      [{ 'yara-string': 'memscope-overlap-marker', insensitive: true }, '"memscope-overlap-marker" nocase'],
      [{ 'yara-string': 'MemScopeWide', wide: true }, '"MemScopeWide" wide ascii'],
      [{ 'yara-string': '{ 4D 5A 90 00 }' }, '{ 4D 5A 90 00 }'],
    ];
    for (const [options, pattern] of cases) {
      const hits = await yarascan(session, options);
      const truth = yaraCli(`rule r1 { strings: $a = ${pattern} condition: $a }`, image);
      assert.ok(truth.length > 0, `${pattern} is planted`);
      assert.deepEqual(keys(hits), keys(truth), pattern);
    }
  });

  it('agrees with the yara command on a generated Windows image', async () => {
    const { image: windows } = await windowsImage({ size: 16 * 1024 * 1024, seed: 5 });
    const file = join(dir, 'windows.raw');
    writeFileSync(file, windows);
    const rules = 'rule names { strings: $a = "lsass.exe" ascii wide nocase $b = "explorer.exe" wide $p = "Proc" condition: any of them }';
    const windowsSession = await openSession(await NodeFileSource.open(file), await createNodeEnv({ symbolDirs: [], cache: false }));
    const hits = await yarascan(windowsSession, { 'yara-rules': rules });
    await windowsSession.close();
    const truth = yaraCli(rules, file);
    assert.ok(truth.length > 3);
    assert.deepEqual(keys(hits), keys(truth));
  });

  it('refuses rules that do not compile, naming the line', async () => {
    const bad = 'rule bad {\n  strings:\n    $a = "x"\n  condition:\n    $a and $b\n}\n';
    await assert.rejects(yarascan(session, { 'yara-rules': bad }), (e) => {
      assert.ok(isMemscopeError(e) && e.code === 'BAD_REQUEST', String(e));
      assert.match(e.message, /unknown pattern `\$b`/);
      assert.match(e.message, /line 5, column 12/);
      return true;
    });
  });

  it('refuses a run without rules, or with rules and --yara-string both', async () => {
    for (const options of [{}, { 'yara-rules': RULES, 'yara-string': 'x' }] as PluginOptions[]) {
      await assert.rejects(yarascan(session, options), (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST');
    }
  });

  it('takes the rules from --yara-file in the CLI', () => {
    const rulesFile = join(dir, 'rules.yar');
    writeFileSync(rulesFile, RULES);
    const command = parseCli(['-f', image, 'yarascan.yarascan', '--yara-file', rulesFile], builtinPlugins);
    assert.equal(command.kind, 'run');
    assert.deepEqual(command.kind === 'run' && command.options, { 'yara-rules': RULES });
    assert.throws(
      () => parseCli(['-f', image, 'yarascan.yarascan', '--yara-file', rulesFile, '--yara-rules', RULES], builtinPlugins),
      (e) => isMemscopeError(e) && e.code === 'BAD_REQUEST',
    );
  });
});

describe('windows.vadyarascan', () => {
  it('finds planted code and command lines at their virtual addresses, in their own processes', async () => {
    const { image: windows, expected } = await windowsImage({ size: 16 * 1024 * 1024, seed: 5 });
    const linked = expected.processes.filter((p) => p.linked && p.vads);
    const injected = linked.flatMap((p) => (p.malfind ?? []).map((m) => ({ pid: p.pid, start: BigInt(m.start), first: m.first64.slice(0, 64) })));
    assert.ok(injected.length > 0, 'the image holds injected code');
    const withLine = linked.filter((p) => p.commandLine).slice(0, 6);
    const pattern = (text: string) => `"${text.replace(/[\\"]/g, '\\$&')}" wide`;
    const rules = [
      `rule injected { strings: ${injected.map((m, i) => `$i${i} = { ${m.first} }`).join(' ')} condition: any of them }`,
      `rule command_lines { strings: ${withLine.map((p, i) => `$c${i} = ${pattern(p.commandLine!)}`).join(' ')} condition: any of them }`,
    ].join('\n');
    const session = await openWindowsSession(windows);
    const { rows } = await collectRun(session, 'windows.vadyarascan', { 'yara-rules': rules });
    await session.close();
    const hits = rows.map(({ values: [offset, pid, name, rule, component, value] }) => ({
      offset: offset as bigint,
      pid,
      name,
      rule,
      component,
      value,
    }));
    for (const m of injected) {
      assert.ok(
        hits.some((h) => h.pid === m.pid && h.offset === m.start && h.rule === 'injected'),
        `injected code of PID ${m.pid} at 0x${m.start.toString(16)}`,
      );
    }
    withLine.forEach((p, i) => {
      const own = hits.filter((h) => h.pid === p.pid && h.component === `$c${i}`);
      assert.ok(own.length > 0, `PID ${p.pid}'s command line in its own memory`);
      for (const h of own) assert.equal(h.value, hexPairs(utf16(p.commandLine!)));
    });
    for (const h of hits) {
      const p = linked.find((q) => q.pid === h.pid);
      assert.ok(p, `PID ${String(h.pid)} is a listed process`);
      assert.equal(h.name, p.name);
      assert.ok(
        p.vads!.some((v) => BigInt(v.start) <= h.offset && h.offset <= BigInt(v.end)),
        `0x${h.offset.toString(16)} in a VAD of PID ${p.pid}`,
      );
    }
  });
});

async function yarascan(s: Session, options: PluginOptions): Promise<Hit[]> {
  const { rows } = await collectRun(s, 'yarascan.yarascan', options);
  return rows.map(({ values: [offset, rule, component, value] }) => ({
    offset: Number(offset),
    rule: rule as string,
    component: component as string,
    value: value as string,
  }));
}

/** `yara -s -L` on the file: every match as offset, rule and string identifier, with the matched bytes from the file. */
function yaraCli(rules: string, file: string): Hit[] {
  return yaraCliMatches(rules, file).map((m) => ({
    offset: m.offset,
    rule: m.rule,
    component: m.component,
    value: hexPairs(bytesOf(file).subarray(m.offset, m.offset + m.length)),
  }));
}

/** Both in one order (yara groups by rule and string, memscope reports in address order). */
function keys(hits: readonly Hit[]): string[] {
  return [...hits].sort((a, b) => a.offset - b.offset || a.rule.localeCompare(b.rule) || a.component.localeCompare(b.component)).map(key);
}

function key(h: Hit): string {
  return `0x${h.offset.toString(16)} ${h.rule} ${h.component} ${h.value}`;
}

function bytesOf(file: string): Uint8Array {
  return file === image ? bytes : new Uint8Array(readFileSync(file));
}

function hexPairs(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function utf16(text: string): Uint8Array {
  return Uint8Array.from([...text].flatMap((c) => [c.charCodeAt(0), 0]));
}

/** Pseudo-random bytes (xorshift32, fixed seed) with the plants written over them. */
function madeUpImage(): Uint8Array {
  const out = new Uint8Array(SIZE);
  const words = new Uint32Array(out.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (const [at, what] of PLANTS) out.set(typeof what === 'string' ? new TextEncoder().encode(what) : what, at);
  return out;
}
