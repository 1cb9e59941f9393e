// linux.vmayarascan on the real Linux capture. Independent truth: truth.json (what the guest's /proc said of each
// process: its argv and environment, which the kernel lays out NUL-terminated one after the other at the top of the
// process's stack) and Volatility 3's own linux.vmayarascan, run on the ISF memscope writes for the capture.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/engine/session.ts';
import { isMemscopeError } from '../../src/errors.ts';
import type { RunWarning, VirtualMemory } from '../../src/plugins/api.ts';
import { MAX_REGION_BYTES, scanRegion } from '../../src/plugins/common/region-yara.ts';
import { optionScanner } from '../../src/plugins/common/yara-options.ts';
import type { Cell, PluginOptions } from '../../src/plugins/plugin.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';
import { openLinuxSession, rowsByColumn } from '../helpers/linux-session.ts';
import { extractVolatility, PYTHON, run, volatilitySkipReason } from '../helpers/volatility.ts';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));

interface TruthProcess {
  readonly pid: number;
  readonly comm: string;
  readonly kernel_thread: boolean;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

interface Hit {
  readonly offset: bigint;
  readonly pid: number;
  readonly rule: string;
  readonly component: string;
  readonly value: string;
}

/** One rule per distinct argv / environment block of the guest's processes, and the text it looks for. */
interface Planted {
  readonly rule: string;
  readonly text: string;
}

const userProcesses = (): TruthProcess[] => (linuxTruth()['processes'] as TruthProcess[]).filter((p) => !p.kernel_thread);

/** Strings as the kernel copies them onto a new process's stack: each NUL-terminated, in order. */
const block = (strings: readonly string[]): string => strings.map((s) => `${s}\0`).join('');
/** What /proc/<pid>/cmdline and /proc/<pid>/environ read: argv's block, then the environment's right after it. */
const stackStrings = (p: TruthProcess): string => block(p.argv) + block(Object.entries(p.env).map(([k, v]) => `${k}=${v}`));

function plantedBlocks(): Planted[] {
  const seen = new Set<string>();
  return userProcesses().flatMap((p) =>
    [
      { rule: `argv_${p.pid}`, text: block(p.argv) },
      { rule: `env_${p.pid}`, text: block(Object.entries(p.env).map(([k, v]) => `${k}=${v}`)) },
    ].filter((b) => b.text !== '' && !seen.has(b.text) && seen.add(b.text)),
  );
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const hexPairs = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

function rulesFor(planted: readonly Planted[]): string {
  return planted.map((b) => `rule ${b.rule} {\n  strings:\n    $s = { ${hexPairs(bytesOf(b.text))} }\n  condition:\n    $s\n}\n`).join('');
}

function hitsOf(rows: readonly Record<string, Cell>[]): Hit[] {
  return rows.map((r) => ({
    offset: r['Offset'] as bigint,
    pid: r['PID'] as number,
    rule: r['Rule'] as string,
    component: r['Component'] as string,
    value: r['Value'] as string,
  }));
}

const sorted = (hits: readonly Hit[]): string[] => hits.map((h) => `0x${h.offset.toString(16)} ${h.pid} ${h.rule} ${h.component} ${h.value}`).sort();

/** The token memimg_alpha was started with (its environment's MEMIMG_TOKEN), as --yara-string. */
const TOKEN = () => userProcesses().find((p) => p.comm === 'memimg_alpha')!.env['MEMIMG_TOKEN']!;

describe('linux.vmayarascan on the real Linux capture', { skip: linuxFixtureSkipReason() }, () => {
  let session: Session;
  let planted: Planted[];
  let rows: Record<string, Cell>[];

  before(async () => {
    session = await openLinuxSession('linux-a.raw');
    planted = plantedBlocks();
    rows = await rowsByColumn(session, 'linux.vmayarascan', { 'yara-rules': rulesFor(planted) });
  });
  after(() => session.close());

  it("finds each process's argv and environment in its own stack, in exactly the processes truth.json gives them", async () => {
    assert.ok(planted.length >= 10, `${planted.length} blocks to look for`);
    const hits = hitsOf(rows);
    const stacks = new Map<number, { start: bigint; end: bigint }>();
    for (const m of await rowsByColumn(session, 'linux.proc.Maps')) {
      if (m['File Path'] === '[stack]') stacks.set(m['PID'] as number, { start: m['Start'] as bigint, end: m['End'] as bigint });
    }
    for (const b of planted) {
      const holders = userProcesses()
        .filter((p) => stackStrings(p).includes(b.text))
        .map((p) => p.pid);
      const found = hits.filter((h) => h.rule === b.rule);
      assert.deepEqual(
        [...new Set(found.map((h) => h.pid))].sort((x, y) => x - y),
        holders,
        `${b.rule}: ${JSON.stringify(b.text)}`,
      );
      for (const h of found) {
        const stack = stacks.get(h.pid);
        assert.ok(stack && stack.start <= h.offset && h.offset < stack.end, `${b.rule} at 0x${h.offset.toString(16)} in PID ${h.pid}'s [stack]`);
        assert.equal(h.component, '$s');
        assert.equal(h.value, hexPairs(bytesOf(b.text)));
        const read = await session.readMemory({ kind: 'process', pid: h.pid }, `0x${h.offset.toString(16)}`, bytesOf(b.text).length);
        assert.equal(hexPairs(read.bytes), h.value, `PID ${h.pid}'s memory at 0x${h.offset.toString(16)}`);
      }
    }
    const comms = new Map(userProcesses().map((p) => [p.pid, p.comm]));
    for (const r of rows) assert.equal(r['Process'], comms.get(r['PID'] as number));
  });

  it('--pid scans only the processes asked for', async () => {
    const token = bytesOf(TOKEN());
    const all = hitsOf(await rowsByColumn(session, 'linux.vmayarascan', { 'yara-string': TOKEN() }));
    const alpha = userProcesses().find((p) => p.comm === 'memimg_alpha')!.pid;
    assert.ok(all.some((h) => h.pid === alpha));
    // init's copy of the script that started memimg_alpha holds the token too: --pid must leave it out.
    assert.ok(all.some((h) => h.pid !== alpha));
    for (const h of all) assert.equal(h.value, hexPairs(token));
    for (const pids of [[alpha], [alpha, userProcesses().find((p) => p.comm === 'sleep')!.pid]]) {
      const some = hitsOf(await rowsByColumn(session, 'linux.vmayarascan', { 'yara-string': TOKEN(), pid: pids }));
      assert.deepEqual(sorted(some), sorted(all.filter((h) => pids.includes(h.pid))));
    }
    const noKernelThread = (linuxTruth()['processes'] as TruthProcess[]).find((p) => p.kernel_thread)!.pid;
    assert.deepEqual(await rowsByColumn(session, 'linux.vmayarascan', { 'yara-string': TOKEN(), pid: [noKernelThread] }), []);
  });

  it("refuses rules that do not compile with the compiler's error, naming the line and column", async () => {
    const bad = 'rule bad {\n  strings:\n    $a = "x"\n  condition:\n    $a and $b\n}\n';
    const options: PluginOptions = { 'yara-rules': bad };
    await assert.rejects(rowsByColumn(session, 'linux.vmayarascan', options), (e) => {
      assert.ok(isMemscopeError(e) && e.code === 'BAD_REQUEST', String(e));
      assert.match(e.message, /unknown pattern `\$b`/);
      assert.match(e.message, /line 5, column 12/);
      return true;
    });
  });
});

describe('scanRegion (a VMA or VAD of a process)', () => {
  const PAGE = 0x1000;
  const BASE = 0x7f0000000000n;
  /** Four pages at BASE, the third not mapped; "needle" at the end of page 0 running into page 1, and in page 3. */
  function space(reads: bigint[]): VirtualMemory {
    const memory = new Uint8Array(4 * PAGE).map((_, i) => 0x41 + Math.floor(i / PAGE));
    memory.set(bytesOf('needle'), PAGE - 3);
    memory.set(bytesOf('needle'), 3 * PAGE + 0x10);
    const mapped = (page: bigint) => page >= 0n && page < 4n && page !== 2n;
    const read = async (address: bigint, length: number): Promise<Uint8Array | null> => {
      reads.push(address);
      const from = address - BASE;
      for (let page = from / BigInt(PAGE); page * BigInt(PAGE) < from + BigInt(length); page++) if (!mapped(page)) return null;
      return memory.slice(Number(from), Number(from) + length);
    };
    const mappedRuns = async function* (): AsyncGenerator<never> {};
    return { read, readU32: async () => null, readU64: async () => null, translate: async () => null, mappedRuns };
  }

  it('scans the region with unreadable pages as zeros, at their virtual addresses', async () => {
    // YARA-X warns that $z is a slow pattern.
    const ctx = { options: { 'yara-rules': 'rule n { strings: $a = "needle" $z = { 00 00 00 00 } condition: any of them }' }, warn: () => undefined };
    const rules = await optionScanner(ctx);
    try {
      const hits = [];
      for await (const m of scanRegion(rules, space([]), { start: BASE, length: BigInt(4 * PAGE) }, ctx, 'PID 7 (x): VMA')) hits.push(m);
      const at = (h: { address: bigint }) => Number(h.address - BASE);
      assert.deepEqual(hits.filter((h) => h.pattern === '$a').map(at), [PAGE - 3, 3 * PAGE + 0x10]);
      // Page 2 reads as zeros, and nothing else holds any: every 4 of them are a match.
      const zeros = hits.filter((h) => h.pattern === '$z').map(at);
      assert.deepEqual(
        zeros,
        Array.from({ length: PAGE - 3 }, (_, i) => 2 * PAGE + i),
      );
    } finally {
      rules.free();
    }
  });

  it('skips a region over the limit with a warning naming it, without reading it', async () => {
    const warnings: RunWarning[] = [];
    const ctx = { options: { 'yara-string': 'needle' }, warn: (w: RunWarning) => warnings.push(w) };
    const rules = await optionScanner(ctx);
    const reads: bigint[] = [];
    try {
      const region = { start: BASE, length: BigInt(MAX_REGION_BYTES) + 1n };
      for await (const m of scanRegion(rules, space(reads), region, ctx, 'PID 7 (x): VMA')) assert.fail(`a match at ${m.address}`);
      assert.deepEqual(reads, []);
      assert.deepEqual(warnings, [{ code: 'LIMIT', message: 'PID 7 (x): VMA 0x7f0000000000 is larger than 1 GiB and was not scanned' }]);
    } finally {
      rules.free();
    }
  });
});

/**
 * Volatility 2.11's linux.vmayarascan runs its rules through yara-python's `Rules.match` (under yara-x, which it
 * prefers when both are installed, that method does not exist).
 */
function yaraPythonSkipReason(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import yara, importlib.util as u; assert u.find_spec("yara_x") is None']);
  return probe.status === 0 ? false : 'Volatility 2.11 linux.vmayarascan needs yara-python without yara-x (Debian: python3-yara)';
}

/**
 * Volatility 2.11's get_vma_maps gives (start, size) pairs that its _generator unpacks as (start, end) and reads
 * `end - start` bytes, a negative length: it scans nothing and finds nothing. Upstream's fix (volatility3 PR #1371)
 * scans `size` bytes from `start`; the same one-line fix is applied here, and only that.
 */
function fixVmaLengths(volatility: string): void {
  const file = join(volatility, 'volatility3/framework/plugins/linux/vmayarascan.py');
  const source = readFileSync(file, 'utf8');
  const broken = 'data=proc_layer.read(start, end - start, True)';
  assert.ok(source.includes(broken), `${file} no longer reads ${broken}: check whether the fix is still needed`);
  writeFileSync(file, source.replace(broken, 'data=proc_layer.read(start, end, True)'));
}

describe('linux.vmayarascan agrees with Volatility 3', { skip: linuxFixtureSkipReason() || volatilitySkipReason() || yaraPythonSkipReason() }, () => {
  it('gives the rows Volatility 3 gives for the same rules (Offset, PID, Rule, Component, Value)', async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const dir = mkdtempSync(join(tmpdir(), 'memscope-vol-'));
    const image = await linuxFixtureFile('linux-a.raw');
    const volatility = extractVolatility(dir);
    fixVmaLengths(join(dir, 'volatility3'));
    const isf = await run(process.execPath, [CLI, '-f', image, '--no-cache', 'linux-isf']);
    assert.equal(isf.code, 0, isf.stderr);
    mkdirSync(join(dir, 'symbols/linux'), { recursive: true });
    writeFileSync(join(dir, 'symbols/linux/memscope-linux-a.json'), isf.stdout);
    const rules = rulesFor(plantedBlocks());
    writeFileSync(join(dir, 'rules.yar'), rules);

    const session = await openLinuxSession('linux-a.raw');
    try {
      for (const [ours, theirs] of [
        [{ 'yara-rules': rules }, ['--yara-file', join(dir, 'rules.yar')]],
        [{ 'yara-string': TOKEN() }, ['--yara-string', TOKEN()]],
      ] as const) {
        const expected = (await volatility(join(dir, 'symbols'), image, 'linux.vmayarascan', theirs)) as Record<string, unknown>[];
        const mine = hitsOf(await rowsByColumn(session, 'linux.vmayarascan', ours));
        assert.ok(expected.length > 0, `Volatility found nothing with ${theirs.join(' ')}`);
        assert.deepEqual(
          sorted(mine),
          sorted(
            expected.map((r) => ({
              offset: BigInt(r['Offset'] as number),
              pid: r['PID'] as number,
              rule: r['Rule'] as string,
              component: r['Component'] as string,
              value: r['Value'] as string,
            })),
          ),
        );
      }
    } finally {
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
