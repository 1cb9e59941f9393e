// The AFF4 standard's reference images as their own metadata describes them: information.turtle and the map members,
// read with `unzip` and regexes — the truth side of the tests, apart from memscope's reader.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { testDataPath } from './test-data.ts';

export const FIXTURES = testDataPath('fixtures', 'aff4');
export const AFF4 = 'http://aff4.org/Schema#';

// ---------- the truth side: information.turtle and map members read with `unzip` and regexes ----------

const unzipMember = (file: string, member: string): Buffer => execFileSync('unzip', ['-p', file, member], { maxBuffer: 1 << 26 });

/** The Turtle block of the object declared with `a aff4:<type>`: its URN and its statements. */
function block(turtle: string, type: string): { urn: string; body: string } {
  const m = new RegExp(`<(aff4://[^>]+)>\\s+a\\s+[^;]*aff4:${type}\\b([\\s\\S]*?)\\s\\.\\s*\\n`).exec(turtle);
  assert.ok(m, `no aff4:${type} in information.turtle`);
  return { urn: m[1]!, body: m[2]! };
}

export interface MapEntry {
  readonly mapped: number;
  readonly length: number;
  readonly targetOffset: number;
  readonly target: string;
}

export interface Reference {
  readonly file: string;
  readonly streamUrn: string;
  readonly sha1: string;
  readonly md5: string;
  readonly mapSize: number;
  readonly entries: readonly MapEntry[];
}

export function reference(name: string): Reference {
  const file = `${FIXTURES}/${name}`;
  const turtle = unzipMember(file, 'information.turtle').toString('utf8');
  const stream = block(turtle, 'ImageStream');
  const map = block(turtle, 'Map');
  const member = (urn: string, suffix: string) => unzipMember(file, `${urn.replace('aff4://', 'aff4%3A%2F%2F')}/${suffix}`);
  const targets = member(map.urn, 'idx').toString('utf8').split('\n').filter(Boolean);
  const raw = member(map.urn, 'map');
  const entries: MapEntry[] = [];
  for (let at = 0; at < raw.length; at += 28) {
    entries.push({
      mapped: Number(raw.readBigUInt64LE(at)),
      length: Number(raw.readBigUInt64LE(at + 8)),
      targetOffset: Number(raw.readBigUInt64LE(at + 16)),
      target: targets[raw.readUInt32LE(at + 24)]!,
    });
  }
  return {
    file,
    streamUrn: stream.urn,
    sha1: /"([0-9a-f]{40})"\^\^aff4:SHA1/.exec(stream.body)![1]!,
    md5: /"([0-9a-f]{32})"\^\^aff4:MD5/.exec(stream.body)![1]!,
    mapSize: Number(/aff4:size\s+"(\d+)"/.exec(map.body)![1]),
    entries,
  };
}

/** What the standard's symbolic streams read as at `offset` (aff4:Zero, aff4:SymbolicStreamXX, aff4:UnknownData). */
export function symbolicByte(target: string, offset: number): number {
  if (target === `${AFF4}Zero`) return 0;
  const byte = /SymbolicStream([0-9A-F]{2})$/i.exec(target);
  if (byte) return parseInt(byte[1]!, 16);
  if (target === `${AFF4}UnknownData`) return 'UNKNOWN'.charCodeAt(offset % 7);
  throw new Error(`unexpected target ${target}`);
}
