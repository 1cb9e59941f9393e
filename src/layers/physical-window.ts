import type { PhysicalLayer } from './physical-layer.ts';

/** The same layer with its runs cut to [start, end): for scanning part of physical memory first. */
export function physicalWindow(layer: PhysicalLayer, start: number, end: number): PhysicalLayer {
  const runs = layer.runs.flatMap((r) => {
    const from = Math.max(r.start, start);
    const to = Math.min(r.start + r.length, end);
    return to > from ? [{ start: from, length: to - from, fileOffset: r.fileOffset < 0 ? -1 : r.fileOffset + (from - r.start) }] : [];
  });
  return {
    format: layer.format,
    source: layer.source,
    runs,
    directMapped: layer.directMapped,
    size: layer.size,
    capturedBytes: runs.reduce((n, r) => n + r.length, 0),
    notes: layer.notes,
    hints: layer.hints,
    warnings: layer.warnings,
    read: (address, length) => layer.read(address, length),
  };
}
