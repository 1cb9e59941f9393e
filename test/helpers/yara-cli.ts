/**
 * The `yara` command-line tool (libyara 4, Debian's package) as independent truth for YARA scans: its matches of
 * `rules` in `file` (`yara -s -L`), each with the rule, the string identifier, offset and length.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface YaraCliMatch {
  readonly rule: string;
  readonly component: string;
  readonly offset: number;
  readonly length: number;
}

/** Why the yara command cannot be run here, or false. */
export const yaraCliMissing = (): string | false =>
  spawnSync('yara', ['--version'], { stdio: 'ignore' }).error ? 'the yara command is not installed (apt-get install yara)' : false;

export function yaraCliMatches(rules: string, file: string): YaraCliMatch[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscope-yara-cli-'));
  try {
    const rulesFile = join(dir, 'rules.yar');
    writeFileSync(rulesFile, rules);
    const out = execFileSync('yara', ['-s', '-L', rulesFile, file], { encoding: 'latin1', maxBuffer: 1 << 28 });
    const matches: YaraCliMatch[] = [];
    let rule = '';
    for (const line of out.split('\n')) {
      const m = /^0x([0-9a-f]+):(\d+):(\$\w*):/.exec(line);
      if (m) matches.push({ rule, component: m[3]!, offset: parseInt(m[1]!, 16), length: Number(m[2]) });
      else if (line.trim() !== '') rule = line.split(' ')[0]!;
    }
    return matches;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
