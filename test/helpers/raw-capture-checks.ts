// Node-only test helper: the checks every container of the real Linux capture answers to — its memory hashes to
// truth.json's SHA-256 of linux-a.raw, and linux.pslist lists the processes the guest listed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rawImagePieces } from '../../src/engine/raw-export.ts';
import type { Session } from '../../src/engine/session.ts';
import type { PhysicalLayer } from '../../src/layers/physical-layer.ts';
import { linuxTruth } from './linux-fixture.ts';
import { rowsByColumn } from './linux-session.ts';

/** SHA-256 of the layer as a raw image of `size` bytes (holes, and memory past the layer's end, as zeros). */
export async function rawSha256(layer: PhysicalLayer, size = layer.size): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of rawImagePieces(layer)) hash.update(piece.kind === 'data' ? piece.bytes : new Uint8Array(piece.length));
  for (let left = size - layer.size; left > 0; left -= 1 << 20) hash.update(new Uint8Array(Math.min(left, 1 << 20)));
  return hash.digest('hex');
}

/** The session's memory is linux-a.raw (truth.json's SHA-256; AVML leaves out zeros at the end), its processes the guest's. */
export async function assertLinuxCapture(session: Session): Promise<void> {
  const raw = linuxTruth().files['linux-a.raw']!;
  assert.equal(await rawSha256(session.physical, raw.size), raw.sha256);
  const pids = (await rowsByColumn(session, 'linux.pslist')).map((r) => Number(r['PID'])).sort((a, b) => a - b);
  const truth = (linuxTruth()['processes'] as { pid: number }[]).map((p) => p.pid).sort((a, b) => a - b);
  assert.deepEqual(pids, truth);
}
