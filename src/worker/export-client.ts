import { wrap } from 'comlink';
import type { exportFile, Exporter } from '../ui/exporter.ts';

/** Export files made in a worker (a bundle next to this one), started on the first export and kept. */
export function exportInWorker(): Exporter {
  let remote: { exportFile: (...args: Parameters<typeof exportFile>) => Promise<Blob> } | undefined;
  return (format, columns, rows, metadata) => {
    remote ??= wrap(new Worker(new URL('./export.worker.js', import.meta.url), { type: 'module', name: 'memscope-export' }));
    return remote.exportFile(format, columns, rows, metadata);
  };
}
