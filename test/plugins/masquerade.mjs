// An example third-party memscope plugin (see src/plugins/README.md): processes that imitate a Windows system
// binary — a name a letter or two away from one (svch0st.exe, scvhost.exe), or a system binary started by the
// wrong parent (lsass.exe not under wininit.exe). It reads windows.psscan's rows, so hidden and exited processes
// count too. Load it with `memscope --plugin-dir test/plugins ...` or by adding the file in the page.

/** System binaries and the parent each one normally has (undefined: its parent has exited by design). */
const SYSTEM_BINARIES = new Map([
  ['system', undefined],
  ['smss.exe', 'system'],
  ['csrss.exe', undefined],
  ['wininit.exe', undefined],
  ['winlogon.exe', undefined],
  ['services.exe', 'wininit.exe'],
  ['lsass.exe', 'wininit.exe'],
  ['lsaiso.exe', 'wininit.exe'],
  ['svchost.exe', 'services.exe'],
  ['explorer.exe', undefined],
  ['taskhostw.exe', 'svchost.exe'],
  ['runtimebroker.exe', 'svchost.exe'],
]);

/** @type {import('memscope/plugin').PluginDefinition} */
export default {
  name: 'community.masquerade',
  version: '1.0.0',
  description: 'Processes imitating a Windows system binary: look-alike names and system binaries under the wrong parent.',
  requirements: [{ kind: 'plugin', name: 'windows.psscan', version: '^1' }],
  columns: [
    { name: 'PID', type: 'int' },
    { name: 'PPID', type: 'int' },
    { name: 'ImageFileName', type: 'str' },
    { name: 'Parent', type: 'str' },
    { name: 'Finding', type: 'str' },
  ],
  options: [
    { name: 'distance', type: 'int', default: 2, description: 'Most letters changed, added, dropped or swapped for a name to count as a look-alike' },
  ],
  tree: false,
  async *run(ctx) {
    const processes = [];
    for await (const { cells } of ctx.runPlugin('windows.psscan')) processes.push(cells);
    const names = new Map(processes.map((p) => [p['PID'], String(p['ImageFileName'] ?? '')]));
    // An int option's value is a number, or undefined when it is not set.
    const distance = ctx.options['distance'];
    const maxDistance = typeof distance === 'number' ? distance : 2;
    for (const p of processes) {
      const name = String(p['ImageFileName'] ?? '');
      const parent = names.get(p['PPID']);
      const finding = lookAlike(name, maxDistance) ?? wrongParent(name, parent);
      if (finding) yield { depth: 0, values: [p['PID'], p['PPID'], name, parent ?? null, finding] };
    }
  },
};

/**
 * "imitates svchost.exe" for a name close to a system binary's but not one.
 * @param {string} name
 * @param {number} maxDistance
 * @returns {string | undefined}
 */
function lookAlike(name, maxDistance) {
  const lower = name.toLowerCase();
  if (SYSTEM_BINARIES.has(lower)) return undefined;
  for (const known of SYSTEM_BINARIES.keys()) {
    // Short names are one edit from many others: allow fewer edits there.
    const allowed = known.replace(/\.exe$/, '').length < 6 ? Math.min(1, maxDistance) : maxDistance;
    if (editDistance(lower, known) <= allowed) return `imitates ${known}`;
  }
  return undefined;
}

/**
 * "lsass.exe started by explorer.exe (expected wininit.exe)" when a listed parent is not the usual one.
 * @param {string} name
 * @param {string | undefined} parent
 * @returns {string | undefined}
 */
function wrongParent(name, parent) {
  const expected = SYSTEM_BINARIES.get(name.toLowerCase());
  if (!expected || parent === undefined || parent.toLowerCase() === expected) return undefined;
  return `${name} started by ${parent} (expected ${expected})`;
}

/**
 * Letters changed, added, dropped or swapped with a neighbour (optimal string alignment distance).
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
