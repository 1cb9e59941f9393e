import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { columnsFor } from '../../src/plugins/plugin-definition.ts';
import { builtinPlugins } from '../../src/plugins/registry.ts';
import { MEMSCOPE_VERSION } from '../../src/version.ts';
import { writeWindowsImage, type WrittenWindowsImage } from '../fixtures/windows/generate.ts';
import { loadIsf } from '../fixtures/windows/isf.ts';
import { toVolatilityTime } from '../helpers/windows-session.ts';
import { linuxFixtureFile, linuxFixtureSkipReason, linuxTruth } from '../helpers/linux-fixture.ts';

const CLI = fileURLToPath(new URL('../../dist/cli/memscope.mjs', import.meta.url));

function memscope(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let cacheHome: string;
let image: WrittenWindowsImage;
let symbolsDir: string;

describe('memscope CLI (built bundle)', () => {
  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    const dir = mkdtempSync(join(tmpdir(), 'memscope-cli-'));
    cacheHome = join(dir, 'cache');
    image = await writeWindowsImage(dir, { size: 16 * 1024 * 1024, seed: 21 });
    symbolsDir = join(dir, 'symbols'); // the generator's trimmed pack: DIR/symbols/windows/ntkrnlmp.pdb/…
  });

  it('lists its plugins', () => {
    const r = memscope('plugins');
    assert.equal(r.code, 0);
    for (const name of ['windows.info', 'windows.pslist', 'windows.pstree', 'windows.psscan', 'windows.cmdline'])
      assert.match(r.stdout, new RegExp(`^${name}\\t`, 'm'));
  });

  it("plugins --json prints every plugin's declaration: version, requirements, columns, options", () => {
    const r = memscope('plugins', '--json');
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as {
      name: string;
      version: string;
      os: string;
      requirements: unknown[];
      columns: unknown[];
      options: unknown[];
      tree: boolean;
    }[];
    assert.deepEqual(
      listed.map((p) => p.name),
      builtinPlugins.map((p) => p.name),
    );
    for (const p of listed) {
      const declared = builtinPlugins.find((b) => b.name === p.name)!;
      assert.match(p.version, /^\d+\.\d+\.\d+$/, p.name);
      assert.deepEqual(p.requirements, declared.requirements, p.name);
      // An OS's plugins carry its name first; those that run on any image (yarascan.yarascan) say 'any'.
      assert.equal(p.os, p.requirements.length === 0 ? 'any' : p.name.split('.')[0], p.name);
      assert.deepEqual(p.columns, columnsFor(declared, {}), p.name);
      assert.deepEqual(p.options, declared.options, p.name);
    }
  });

  it('--plugin-dir offers third-party plugins: listed as such, run like the built-ins', () => {
    const examples = fileURLToPath(new URL('../plugins/', import.meta.url));
    const listed = memscope('--plugin-dir', examples, 'plugins');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^community\.masquerade\t1\.0\.0\t.*\tthird-party: .*masquerade\.mjs$/m);
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '--plugin-dir', examples, '-r', 'json', 'community.masquerade');
    assert.equal(r.code, 0, r.stderr);
    const planted = image.expected.processes.filter((p) => p.name === 'svch0st.exe');
    assert.deepEqual(
      (JSON.parse(r.stdout) as { PID: number; Finding: string }[]).map((row) => [row.PID, row.Finding]),
      planted.map((p) => [p.pid, 'imitates svchost.exe']),
    );
    const unknown = memscope('-f', image.imagePath, 'community.masquerade');
    assert.equal(unknown.code, 2, 'without --plugin-dir the plugin is unknown');
  });

  it('stops a third-party plugin caught in an endless loop, keeps what it printed, says which one; a failed run keeps its warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memscope-cli-plugins-'));
    const declaration = (name: string, run: string) =>
      `export default { name: '${name}', version: '1.0.0', description: 'test', requirements: [], tree: false, options: [],
        columns: [{ name: 'PID', type: 'int' }], async *run(ctx) { ${run} } };\n`;
    writeFileSync(join(dir, 'loops.mjs'), declaration('test.loops', 'yield { depth: 0, values: [4] }; for (;;) {}'));
    writeFileSync(
      join(dir, 'fails.mjs'),
      declaration('test.fails', "ctx.warn({ code: 'SMEAR', message: 'list loops' }); yield { depth: 0, values: [8] }; null.boom;"),
    );
    const started = Date.now();
    const loops = memscope('-f', image.imagePath, '--plugin-dir', dir, '--plugin-timeout', '2', '-r', 'jsonl', 'test.loops');
    assert.equal(loops.code, 1, loops.stderr);
    assert.equal(loops.stdout, '{"TreeDepth": 0, "PID": 4}\n');
    assert.match(loops.stderr, /^memscope: third-party plugin test\.loops \(.*loops\.mjs\) did not respond for 2 s and was stopped/m);
    assert.ok(Date.now() - started < 60_000, 'stopped by the timeout, not by the test runner');
    const fails = memscope('-f', image.imagePath, '--plugin-dir', dir, '-r', 'jsonl', 'test.fails');
    assert.equal(fails.code, 1, fails.stderr);
    assert.equal(fails.stdout, '{"TreeDepth": 0, "PID": 8}\n');
    assert.match(fails.stderr, /^memscope: warning \[SMEAR\] list loops$/m);
    assert.match(fails.stderr, /third-party plugin test\.fails failed after 1 rows/);
    const badTimeout = memscope('--plugin-dir', dir, '--plugin-timeout', 'soon', 'plugins');
    assert.equal(badTimeout.code, 2);
    assert.match(badTimeout.stderr, /--plugin-timeout: soon is not a number of seconds/);
  });

  it('-r json prints Volatility 3 rows: the linked processes with exact offsets', () => {
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.pslist');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    const linked = image.expected.processes.filter((p) => p.linked);
    assert.deepEqual(
      rows.map((row) => [row['PID'], row['PPID'], row['ImageFileName'], row['CreateTime'], row['ExitTime'], row['__children']]),
      linked.map((p) => [p.pid, p.ppid, p.name, toVolatilityTime(p.createTime), null, []]),
    );
    // Offsets above 2^53 must be exact integers in the JSON text.
    for (const p of linked) assert.ok(r.stdout.includes(`"Offset(V)": ${BigInt(p.eprocessVirtual).toString()}`), `offset of ${p.pid}`);
  });

  it('-r json nests pstree children in __children', () => {
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.pstree');
    assert.equal(r.code, 0, r.stderr);
    type Node = { PID: number; PPID: number; __children: Node[] };
    const count = (nodes: Node[]): number => nodes.reduce((n, c) => n + 1 + count(c.__children), 0);
    const check = (nodes: Node[]) => nodes.forEach((n) => n.__children.forEach((c) => (assert.equal(c.PPID, n.PID), check([c]))));
    const roots = JSON.parse(r.stdout) as Node[];
    assert.equal(count(roots), image.expected.processes.filter((p) => p.linked).length);
    check(roots);
  });

  it('-r csv and -r jsonl carry the same rows as psscan finds', () => {
    const csv = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'csv', 'windows.psscan');
    const jsonl = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'jsonl', 'windows.psscan');
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const pids = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { PID: number }).PID)
      .sort((a, b) => a - b);
    assert.deepEqual(
      pids,
      image.expected.processes.map((p) => p.pid).sort((a, b) => a - b),
    );
    assert.equal(csv.stdout.trim().split('\r\n').length, pids.length + 1);
  });

  it("a run's warnings go to stderr, one line each with their code and address, whatever the renderer; stdout stays data", async () => {
    // The 5th listed process's Flink points back at the 2nd: pslist stops there with one SMEAR warning.
    const links = BigInt((await loadIsf()).field('_EPROCESS', 'ActiveProcessLinks.Flink').offset);
    const linked = image.expected.processes.filter((p) => p.linked);
    const target = BigInt(linked[1]!.eprocessVirtual) + links;
    const smeared = readFileSync(image.imagePath);
    smeared.writeBigUInt64LE(target, Number(BigInt(linked[4]!.eprocessPhysical) + links));
    const path = join(cacheHome, '..', 'smeared.raw');
    writeFileSync(path, smeared);
    const line = `memscope: warning [SMEAR] process list loops back to 0x${target.toString(16)}: walk stopped (at 0x${BigInt(linked[4]!.eprocessVirtual).toString(16)})`;
    for (const renderer of ['json', 'jsonl', 'csv', 'table']) {
      const r = memscope('-f', path, '-s', symbolsDir, '--no-cache', '-r', renderer, 'windows.pslist');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stderr.split('\n'), [line, ''], renderer);
    }
    const json = memscope('-f', path, '-s', symbolsDir, '--no-cache', '-r', 'json', 'windows.pslist');
    assert.deepEqual(
      (JSON.parse(json.stdout) as { PID: number }[]).map((row) => row.PID),
      linked.slice(0, 5).map((p) => p.pid),
    );
  });

  it('fails with one line on stderr and a non-zero status', () => {
    const missing = memscope('-f', '/nonexistent/memory.raw', 'windows.pslist');
    assert.notEqual(missing.code, 0);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /memory\.raw/);

    // Without the symbol table the process plugins run on offsets found in the image (the warning says so); the
    // others fail with one line naming the PDB, after that warning.
    const discovered = memscope('-f', image.imagePath, '-s', join(symbolsDir, 'nothing-here'), '-r', 'json', 'windows.pslist');
    assert.equal(discovered.code, 0);
    assert.deepEqual(
      (JSON.parse(discovered.stdout) as { PID: number }[]).map((row) => row.PID),
      image.expected.processes.filter((p) => p.linked).map((p) => p.pid),
    );
    assert.match(discovered.stderr, /^memscope: warning: no symbol file: memscope found the process structures in the image itself/);
    const noSymbols = memscope('-f', image.imagePath, '-s', join(symbolsDir, 'nothing-here'), 'windows.handles');
    assert.equal(noSymbols.code, 1);
    const lines = noSymbols.stderr.trim().split('\n');
    assert.deepEqual(
      lines.slice(0, -1).map((l) => l.startsWith('memscope: warning: ')),
      [true],
    );
    assert.match(lines.at(-1)!, new RegExp(`^memscope: Symbols needed: .*${image.expected.kernel.pdb.guid}`));

    const junk = join(cacheHome, '..', 'junk.xz');
    writeFileSync(junk, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ...new Array(8192).fill(1)]));
    const xz = memscope('-f', junk, 'windows.pslist');
    assert.equal(xz.code, 1);
    assert.match(xz.stderr, /junk\.xz.*decompress/);

    const badOption = memscope('-f', image.imagePath, 'windows.pslist', '--pid', 'four');
    assert.equal(badOption.code, 2);
  });

  it('runs without its cache when the cache cannot be written, and says so once', () => {
    const blocked = join(cacheHome, '..', 'not-a-folder');
    writeFileSync(blocked, 'a file where the cache folder would go');
    const r = spawnSync(process.execPath, [CLI, '-f', image.imagePath, '-s', symbolsDir, '-r', 'jsonl', 'windows.pslist'], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: blocked },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, image.expected.processes.filter((p) => p.linked).length);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^memscope: warning: the cache at .*not-a-folder.* cannot be written \(.*\): discovery is repeated on every run \(--no-cache skips the cache\)$/,
    );
  });

  it('stops quietly with status 0 when its reader closes the pipe early (memscope ... | head)', async () => {
    // Far more rows than a pipe buffers, so writes go on after the reader has gone.
    const many = await writeWindowsImage(join(cacheHome, '..', 'many'), { size: 128 * 1024 * 1024, seed: 22, processes: 600 });
    const child = spawn(process.execPath, [
      CLI,
      '-f',
      many.imagePath,
      '-s',
      join(cacheHome, '..', 'many', 'symbols'),
      '--no-cache',
      '-r',
      'jsonl',
      'windows.psscan',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
    assert.deepEqual({ code, signal, stderr }, { code: 0, signal: null, stderr: '' });
  });

  it('-r json windows.dlllist --pid N prints that process’s load-order modules', () => {
    const p = image.expected.processes.find((q) => q.linked && q.dlls)!;
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.dlllist', '--pid', String(p.pid));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Record<string, unknown>[]).map((row) => [
        row['PID'],
        row['Base'],
        row['Size'],
        row['Name'],
        row['Path'],
        row['LoadTime'],
        row['LoadCount'],
      ]),
      p.dlls!.filter((d) => d.inLoad).map((d) => [p.pid, Number(BigInt(d.base)), d.size, d.name, d.path, toVolatilityTime(d.loadTime), d.loadCount]),
    );
  });

  it('-r json windows.privileges --pid N prints that process’s privileges: cmd.exe holds SeDebugPrivilege enabled', () => {
    const p = image.expected.processes.find((q) => q.linked && q.name === 'cmd.exe')!;
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.privileges', '--pid', String(p.pid));
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.filter((row) => row['Attributes'] !== '').map((row) => [row['PID'], row['Value'], row['Attributes']]),
      p.token!.privileges.map((x) => [
        p.pid,
        x.value,
        [x.present && 'Present', x.enabled && 'Enabled', x.enabledByDefault && 'Default'].filter(Boolean).join(','),
      ]),
    );
    assert.deepEqual(rows.find((row) => row['Value'] === 20)?.['Privilege'], 'SeDebugPrivilege');
  });

  it('-r json windows.malfind prints the code injected into cmd.exe, MZ header first', () => {
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.malfind');
    assert.equal(r.code, 0, r.stderr);
    const want = image.expected.processes
      .filter((p) => p.linked)
      .flatMap((p) => (p.malfind ?? []).map((m) => [p.pid, p.name, Number(BigInt(m.start)), Number(BigInt(m.end)), 'MZ header']));
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((row) => [row['PID'], row['Process'], row['Start VPN'], row['End VPN'], row['Notes']]),
      want,
    );
    assert.match(String(rows[0]!['Hexdump']), /^\n4d 5a 90 00 /);
  });

  it('-r json windows.handles --pid N prints that process’s handles', () => {
    const p = image.expected.processes.find((q) => q.linked && q.name === 'cmd.exe')!;
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.handles', '--pid', String(p.pid));
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((row) => [row['PID'], row['HandleValue'], row['Type'], row['GrantedAccess'], row['Name']]),
      p.handleEntries!.map((h) => [p.pid, h.value, h.type, h.access, h.name]),
    );
  });

  it('--hash: the rows, then the metadata with the file’s SHA-256 and MD5 (as sha256sum and md5sum give them) and memscope’s version', () => {
    const digest = (tool: string) => spawnSync(tool, [image.imagePath], { encoding: 'utf8' }).stdout.split(' ')[0];
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', '--hash', 'windows.pslist');
    assert.equal(r.code, 0, r.stderr);
    const { rows, metadata } = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; metadata: Record<string, unknown> };
    const linked = image.expected.processes.filter((p) => p.linked);
    assert.equal(rows.length, linked.length);
    const { runStarted, runSeconds, exportedAt, ...rest } = metadata;
    assert.deepEqual(rest, {
      memscopeVersion: MEMSCOPE_VERSION,
      imageFile: basename(image.imagePath),
      imageSize: statSync(image.imagePath).size,
      imageSha256: digest('sha256sum'),
      imageMd5: digest('md5sum'),
      plugin: 'windows.pslist',
      pluginVersion: builtinPlugins.find((p) => p.name === 'windows.pslist')!.version,
      options: {},
      runStatus: 'complete',
      rowSelection: 'all',
      rowFilter: null,
      rowOrder: null,
      rowCount: linked.length,
      totalRows: linked.length,
    });
    assert.ok(typeof runSeconds === 'number' && runSeconds >= 0);
    for (const date of [runStarted, exportedAt]) assert.ok(Math.abs(Date.parse(String(date)) - Date.now()) < 120_000, String(date));

    // Without --hash the file is not read for hashes; CSV and JSONL carry the metadata in their own forms.
    const csv = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'csv', '--metadata', 'windows.pslist');
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\r\n');
    const width = lines[0]!.split(',').length;
    assert.equal(lines.filter((line) => !line.startsWith('#')).length, 1 + linked.length);
    assert.ok(lines.includes(`#imageSha256,not computed${','.repeat(width - 2)}`), csv.stdout);
    assert.ok(lines.includes(`#memscopeVersion,${MEMSCOPE_VERSION}${','.repeat(width - 2)}`), csv.stdout);
    const jsonl = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'jsonl', '--metadata', 'windows.pslist');
    const last = JSON.parse(jsonl.stdout.trimEnd().split('\n').at(-1)!) as { metadata: Record<string, unknown> };
    assert.equal(last.metadata['imageMd5'], 'not computed');
    assert.equal(last.metadata['rowCount'], linked.length);
    // Without either flag the output stays Volatility's list of rows.
    assert.ok(Array.isArray(JSON.parse(memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.pslist').stdout)));
  });

  it('-r json windows.psxview shows the hidden process in every view but pslist', () => {
    const r = memscope('-f', image.imagePath, '-s', symbolsDir, '-r', 'json', 'windows.psxview');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((row) => row['PID']).sort((a, b) => Number(a) - Number(b)),
      image.expected.processes.map((p) => p.pid).sort((a, b) => a - b),
    );
    const hidden = image.expected.processes.find((p) => p.hidden)!;
    const row = rows.find((x) => x['PID'] === hidden.pid)!;
    assert.deepEqual(
      [row['Offset(Virtual)'], row['Name'], row['pslist'], row['psscan'], row['thrdscan'], row['csrss'], row['session']],
      [
        Number(BigInt(hidden.eprocessVirtual)),
        hidden.name,
        false,
        true,
        true,
        true,
        image.expected.sessions.some((s) => s.pids.includes(hidden.pid)),
      ],
    );
  });
});

describe('memscope CLI on the real Linux image (built bundle)', { skip: linuxFixtureSkipReason() }, () => {
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    cacheHome = mkdtempSync(join(tmpdir(), 'memscope-cli-linux-'));
  });

  it('lists the processes of the LiME capture as Volatility 3 JSON, with no symbol file', async () => {
    const r = memscope('-f', await linuxFixtureFile('linux-a.lime'), '-r', 'json', 'linux.pslist');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    const truth = linuxTruth()['processes'] as { pid: number; comm: string }[];
    assert.deepEqual(
      rows.map((row) => [row['PID'], row['COMM']]).sort((a, b) => Number(a[0]) - Number(b[0])),
      truth.map((p) => [p.pid, p.comm]).sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  it('linux-isf writes the kernel’s table as a Volatility 3 ISF: banner, link-time symbols, types', async () => {
    const r = memscope('-f', await linuxFixtureFile('linux-a.elf'), 'linux-isf');
    assert.equal(r.code, 0, r.stderr);
    const kernel = linuxTruth()['kernel'] as { version_string: string; kaslr_offset: string; kallsyms_selected: Record<string, string> };
    const isf = JSON.parse(r.stdout.replace(/"address": ?(\d{16,})/g, '"address": "$1"')) as {
      metadata: { format: string };
      symbols: Record<string, { address: number | string; constant_data?: string }>;
      user_types: Record<string, { size: number; fields: Record<string, unknown> }>;
    };
    assert.match(isf.metadata.format, /^6\./);
    assert.equal(atob(isf.symbols['linux_banner']!.constant_data!).replace(/\n\0$/, ''), kernel.version_string);
    const linkTime = BigInt(kernel.kallsyms_selected['init_task']!) - BigInt(kernel.kaslr_offset);
    assert.equal(BigInt(isf.symbols['init_task']!.address), linkTime);
    assert.ok(isf.user_types['task_struct']!.fields['comm'], 'task_struct.comm');
  });
});
