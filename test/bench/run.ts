/**
 * npm run bench: figures measured side by side in one run on generated Windows images (4 GiB and
 * 256 MiB, to show memory does not grow with image size) and the real Linux fixture. Prints ratios
 * against the raw read bandwidth.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWindowsImage } from '../fixtures/windows/generate.ts';
import { cliPsscanPoolBench, nodeReadBandwidth, OTHER_POOL_SCANS, sessionBenchInChild, wasmScanBandwidth } from './node-bench.ts';
import { browserBench } from './browser-bench.ts';
import { linuxOpenToFirstRow } from './linux-bench.ts';
import { yaraBench } from './yara-bench.ts';
import { sparseBench } from './sparse-bench.ts';
import { cliStartBench } from './cli-start-bench.ts';
import { decodeBenchLines } from './decode-bench.ts';
import { volatilityBench } from './volatility-bench.ts';
import { linuxFixtureFile, linuxFixtureMissing } from '../helpers/linux-fixture.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const DIR = fileURLToPath(new URL('../../.cache/bench/', import.meta.url));

const gbps = (bytesPerSecond: number) => `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;

const GENERATOR = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
/** When the generator last changed: an older cached image lacks what it writes now. */
const generatorChanged = Math.max(...readdirSync(GENERATOR).map((f) => statSync(join(GENERATOR, f)).mtimeMs));

async function image(size: number) {
  const name = `bench-${size / MiB}MiB`;
  const path = join(DIR, `${name}.raw`);
  const stale = !existsSync(path) || statSync(path).size !== size || statSync(path).mtimeMs < generatorChanged;
  if (stale) await writeWindowsImage(DIR, { size, seed: 3, processes: 60, name });
  return { path, symbols: join(DIR, 'symbols') };
}

const big = await image(4 * GiB);
const small = await image(256 * MiB);

const read = nodeReadBandwidth(big.path);
const scan = await wasmScanBandwidth();
const s1 = sessionBenchInChild(big.path, big.symbols);
const s2 = sessionBenchInChild(small.path, small.symbols);
const psscanRate = s1.capturedBytes / s1.psscanSeconds;
const pool = cliPsscanPoolBench(big.path, big.symbols, join(DIR, 'cli-cache'));

console.log('memscope bench (one run, this machine)\n');
console.log(`Node fs read, 4 GiB image (page cache warm)   ${gbps(read)}`);
console.log(`Wasm pool-tag scan, 1 instance, in memory      ${gbps(scan)}   (target ≥ 4 GB/s: ${scan >= 4e9 ? 'met' : 'NOT met'})`);
console.log(
  `psscan end to end, Node, 4 GiB                 ${gbps(psscanRate)}   = ${((100 * psscanRate) / read).toFixed(0)} % of fs read (${s1.psscanRows} rows, ${ms(s1.psscanSeconds)}; first row at ${ms(s1.psscanFirstRowSeconds)})`,
);
console.log(
  `psscan, memscope CLI wall time, 4 GiB         ${ms(pool.inlineSeconds)} on the main thread, ${ms(pool.poolSeconds)} with ${pool.threads} scan threads = ${(pool.inlineSeconds / pool.poolSeconds).toFixed(2)}× (target ≥ 1)`,
);
console.log(
  `${OTHER_POOL_SCANS.length} more pool scans after psscan, 4 GiB       ${ms(s1.otherPoolScansSeconds)} = ${(s1.otherPoolScansSeconds / s1.psscanSeconds).toFixed(2)} × psscan (${s1.otherPoolScansRows} rows; one pool-tag pass serves them all)`,
);
console.log(`open (discovery) 4 GiB                         ${ms(s1.openSeconds)}`);
console.log(
  `pslist 4 GiB                                   ${ms(s1.pslistSeconds)} (${s1.pslistRows} rows); reopen + pslist with cached discovery ${ms(s1.reopenPslistSeconds)}`,
);
console.log(
  `handles / vadinfo 4 GiB                        ${ms(s1.handlesSeconds)} (${s1.handlesRows} rows) / ${ms(s1.vadinfoSeconds)} (${s1.vadinfoRows} rows)`,
);
console.log(`peak heap+buffers / RSS, 4 GiB image           ${mib(s1.peakHeapBytes)} / ${mib(s1.peakRssBytes)}`);
console.log(`peak heap+buffers / RSS, 256 MiB image         ${mib(s2.peakHeapBytes)} / ${mib(s2.peakRssBytes)}`);

const linuxRaw = linuxFixtureMissing() ? undefined : await linuxFixtureFile('linux-a.raw');
const windowsList = (plugin: string) => ({ label: `${plugin}, 256 MiB`, args: ['-f', small.path, '-s', small.symbols, plugin] });
const [nodeStart, ...cliStarts] = cliStartBench(
  [
    ...['windows.pslist', 'windows.pstree', 'windows.info'].map(windowsList),
    ...(linuxRaw ? [{ label: 'linux.pslist, linux-a.raw', args: ['-f', linuxRaw, 'linux.pslist'] }] : []),
  ],
  join(DIR, 'cli-start-cache'),
);
console.log(`${`CLI wall time: ${nodeStart!.label}`.padEnd(46)} ${ms(nodeStart!.medianSeconds)}`);
for (const r of cliStarts)
  console.log(
    `${`CLI wall time, warm cache: ${r.label}`.padEnd(46)} ${ms(r.medianSeconds)} = Node's start + ${ms(r.medianSeconds - nodeStart!.medianSeconds)} (target ≤ 100 ms: ${r.medianSeconds <= 0.1 ? 'met' : 'NOT met'}; ${r.rows} rows)`,
  );

const SPARSE_GIB = 256;
const sparse = sparseBench(small.path, small.symbols, join(DIR, `sparse-${SPARSE_GIB}GiB.raw`), SPARSE_GIB);
for (const [plugin, r] of [
  ['pslist', sparse.pslist],
  ['psscan', sparse.psscan],
] as const)
  console.log(
    `${`${plugin}, sparse ${SPARSE_GIB} GiB image, CLI`.padEnd(46)} ${ms(r.seconds)}, peak RSS ${mib(r.peakRssBytes)} (target ≤ 256 MiB: ${r.peakRssBytes <= 256 * MiB ? 'met' : 'NOT met'}; ${r.rows} rows)`,
  );

const y = await yaraBench(big.path);
const yaraRate = y.bytes / y.memscopeSeconds;
if (y.yaraSeconds === undefined)
  console.log(`yarascan, Node, 4 GiB                          ${gbps(yaraRate)} (${y.memscopeRows} rows; yara command not installed)`);
else
  console.log(
    `yarascan vs the yara command, Node, 4 GiB      ${gbps(yaraRate)} vs ${gbps(y.bytes / y.yaraSeconds)} = ${(y.yaraSeconds / y.memscopeSeconds).toFixed(2)}× (target ≥ 1: ${y.memscopeSeconds <= y.yaraSeconds ? 'met' : 'NOT met'}; ${y.memscopeRows} rows, yara -s ${y.yaraMatches} matches)`,
  );

const linuxMissing = linuxFixtureMissing();
if (linuxMissing) console.log(`(Linux figures skipped: ${linuxMissing})`);
else
  for (const capture of ['linux-a.raw', 'linux-a.elf', 'linux-a.lime', 'linux-a.kdump']) {
    const first = await linuxOpenToFirstRow(await linuxFixtureFile(capture));
    console.log(
      `${`Linux ${capture}: open → first linux.pslist row`.padEnd(46)} ${ms(first.coldSeconds)} (cold), ${ms(first.cachedSeconds)} (cached)`,
    );
  }

for (const line of decodeBenchLines(small.path)) console.log(line);

const volatility = process.env['VOLATILITY3'];
if (volatility) {
  const compared = volatilityBench(volatility, big.path, big.symbols, [
    'windows.info',
    'windows.pslist',
    'windows.pstree',
    'windows.cmdline',
    'windows.psscan',
  ]);
  if (typeof compared === 'string') console.log(`(Volatility 3 figures skipped: ${compared})`);
  else
    for (const c of compared)
      console.log(
        `${`${c.plugin}, 4 GiB: Volatility 3 / memscope CLI`.padEnd(46)} ${ms(c.volatilitySeconds)} / ${ms(c.memscopeSeconds)} = ${(c.volatilitySeconds / c.memscopeSeconds).toFixed(2)}× (rows ${c.volatilityRows} / ${c.memscopeRows})`,
      );
} else console.log('(Volatility 3 figures: VOLATILITY3=DIR, the folder holding vol.py)');

const b = await browserBench(big.path, big.symbols);
if (b) {
  console.log(`Chromium Blob.slice read, 4 GiB, main thread  ${gbps(b.blobReadBytesPerSecond)}`);
  console.log(
    `Chromium psscan end to end, ${b.workers} scan workers    ${gbps(b.psscanBytesPerSecond)}   = ${((100 * b.psscanBytesPerSecond) / b.blobReadBytesPerSecond).toFixed(0)} % of Blob read (target ≥ 80 %: ${b.psscanBytesPerSecond >= 0.8 * b.blobReadBytesPerSecond ? 'met' : 'NOT met'})`,
  );
  console.log(
    `Chromium yarascan, ${b.workers} scan workers, 4 GiB      ${gbps(b.yarascanBytesPerSecond)}   (target ≥ 0.5 GB/s: ${b.yarascanBytesPerSecond >= 0.5e9 ? 'met' : 'NOT met'})`,
  );
  console.log(`Chromium pslist (open → rows)                  ${ms(b.pslistSeconds)}`);
}
