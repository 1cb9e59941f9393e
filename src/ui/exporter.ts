import { EXPORT_MIME, exportText } from '../render/export-file.ts';

/** An export file, ready to download. */
export function exportFile(...args: Parameters<typeof exportText>): Blob {
  return new Blob([exportText(...args)], { type: EXPORT_MIME[args[0]] });
}

/** Makes export files: on the page itself, or in a worker (exportInWorker) so that a large one does not stall it. */
export type Exporter = (...args: Parameters<typeof exportText>) => Promise<Blob>;

export const exportOnPage: Exporter = async (...args) => exportFile(...args);
