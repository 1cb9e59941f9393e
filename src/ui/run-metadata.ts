import type { ImageSummary } from '../engine/engine-api.ts';
import type { ImageHashes } from '../engine/image-hash.ts';
import { imageMetadata, type RunMetadata } from '../render/export-metadata.ts';
import type { ResultSet } from './session-controller.ts';
import { MEMSCOPE_VERSION } from '../version.ts';

/**
 * What every export of a run says about where its rows came from (the hashes as far as they are known now); undefined
 * while the run goes on (nothing is exported then).
 */
export function runMetadata(image: ImageSummary, hashes: ImageHashes | undefined, result: ResultSet): RunMetadata | undefined {
  if (result.status === 'running') return undefined;
  return {
    ...imageMetadata(image.fileName, image.fileSize, hashes),
    plugin: result.plugin.name,
    pluginVersion: result.plugin.version,
    options: result.options,
    runStarted: result.startedAt,
    runSeconds: result.summary ? Math.round(result.summary.elapsedMs) / 1000 : null,
    runStatus: result.status === 'done' ? 'complete' : result.status,
  };
}

/** What an export of the timeline says of where its rows came from: the image, and the runs it merges (as options). */
export function timelineMetadata(image: ImageSummary, hashes: ImageHashes | undefined, runs: readonly string[]): RunMetadata {
  return {
    ...imageMetadata(image.fileName, image.fileSize, hashes),
    plugin: 'memscope.timeline',
    pluginVersion: MEMSCOPE_VERSION,
    options: { runs },
    runStarted: new Date().toISOString(),
    runSeconds: null,
    runStatus: 'complete',
  };
}
