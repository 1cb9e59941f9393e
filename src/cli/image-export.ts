import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { rawImagePieces } from '../engine/raw-export.ts';
import { MemscopeError } from '../errors.ts';
import { containerFormats, openImage } from '../formats/detect.ts';
import type { PhysicalLayer } from '../layers/physical-layer.ts';
import { NodeFileSource } from '../node/node-file-source.ts';
import { TempFileStorage } from '../node/temp-file-storage.ts';
import { escapeControls } from '../render/terminal-text.ts';
import { formatSizeExact } from '../plugins/common/format-size.ts';
import type { CliCommand } from './args.ts';
import { ProgressBar } from './progress-bar.ts';
import { companionsOf } from './run-plugin.ts';

type ExportCommand = Extract<CliCommand, { kind: 'image-export' }>;

const HASHES = [
  ['SHA-256', 'sha256'],
  ['SHA-1', 'sha1'],
  ['MD5', 'md5'],
] as const;
const ZEROS = new Uint8Array(1024 * 1024);

/**
 * `memscope -f IMAGE image.export -o OUT.raw`: whatever container memscope reads, written out as a raw image (file
 * offset = physical address), streamed in bounded chunks. Holes are left unwritten (a sparse file, reading as zeros);
 * with --hash the raw image's SHA-256, SHA-1 and MD5 (holes hashed as the zeros they read as) follow on stderr.
 */
export async function exportImage(command: ExportCommand): Promise<number> {
  const source = await NodeFileSource.open(command.file);
  const companions = companionsOf(command);
  const bar = new ProgressBar();
  let out: FileHandle | undefined;
  let layer: PhysicalLayer | undefined;
  try {
    layer = await openImage(source, { companions, unpack: { temp: new TempFileStorage(), onProgress: (d, t, s) => bar.update(d, t, s) } });
    for (const w of layer.warnings) process.stderr.write(`memscope: warning: ${escapeControls(w)}\n`);
    out = await createOutput(command.output, command.force);
    const hashes = command.hash ? HASHES.map(([name, id]) => [name, createHash(id)] as const) : [];
    let captured = 0;
    for await (const piece of rawImagePieces(layer)) {
      if (piece.kind === 'data') {
        await out.write(piece.bytes, 0, piece.bytes.length, piece.address);
        for (const [, h] of hashes) h.update(piece.bytes);
        captured += piece.bytes.length;
        bar.update(piece.address + piece.bytes.length, layer.size, 'Writing the raw image');
      } else {
        hashZeros(
          hashes.map(([, h]) => h),
          piece.length,
        );
      }
    }
    await out.truncate(layer.size);
    bar.clear();
    const holes = layer.size - captured;
    process.stderr.write(
      `memscope: wrote ${escapeControls(command.output)}: ${formatSizeExact(layer.size)} of memory from the ${describe(layer.format)} as a raw image ` +
        `(${formatSizeExact(captured)} captured${holes > 0 ? `, ${formatSizeExact(holes)} of holes left as zeros` : ''})\n`,
    );
    for (const [name, h] of hashes) process.stderr.write(`memscope: ${name} ${h.digest('hex')}\n`);
    return 0;
  } finally {
    bar.clear();
    await out?.close();
    if (layer?.packaging) await layer.source.close?.();
    await source.close();
    await companions.close();
  }
}

async function createOutput(path: string, force: boolean): Promise<FileHandle> {
  try {
    return await open(path, force ? 'w' : 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new MemscopeError('BAD_REQUEST', `${path} exists: memscope does not overwrite it unless --force is given`);
    throw new MemscopeError('BAD_REQUEST', `cannot write ${path}: ${code ?? (e as Error).message}`);
  }
}

function hashZeros(hashes: readonly Hash[], length: number): void {
  if (hashes.length === 0) return;
  for (let left = length; left > 0; left -= ZEROS.length) {
    const zeros = left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left);
    for (const h of hashes) h.update(zeros);
  }
}

/** "ELF64 core dump (QEMU dump-guest-memory, VirtualBox dumpguestcore)" for 'elf'. */
function describe(format: string): string {
  return containerFormats.find((f) => f.id === format)?.description ?? format;
}
