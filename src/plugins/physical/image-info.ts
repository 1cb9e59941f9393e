import { formatSizeExact as size } from '../common/format-size.ts';
import { variableValuePlugin } from '../common/info-plugin.ts';

/** Ranges listed one per row; an image with more (a fragmented map) gets a count for the rest. */
const MAX_LISTED_RANGES = 4096;

const hex = (n: number) => `0x${n.toString(16)}`;

export const imageInfo = variableValuePlugin(
  {
    name: 'image.info',
    description:
      'The memory image as its container holds it: format, physical size, what was captured, and each captured range of ' +
      'physical addresses (what image.export writes, and scans read). Needs no OS.',
    version: '1.0.0',
    requirements: [],
  },
  async function* (ctx) {
    const { format, packaging, size: end, capturedBytes, runs, details = [] } = ctx.physical;
    yield ['Format', packaging ? `${format}, in ${packaging}` : format];
    yield* details;
    yield ['Physical size', `${size(end)}: addresses ${hex(0)}-${hex(Math.max(0, end - 1))}`];
    yield ['Captured', size(capturedBytes)];
    yield ['Not captured', size(end - capturedBytes)];
    yield ['Captured ranges', String(runs.length)];
    for (const [i, r] of runs.slice(0, MAX_LISTED_RANGES).entries()) {
      yield [`Range ${i + 1}`, `${hex(r.start)}-${hex(r.start + r.length - 1)}, ${size(r.length)}`];
    }
    if (runs.length > MAX_LISTED_RANGES) yield ['More ranges', `${runs.length - MAX_LISTED_RANGES} not listed`];
  },
);
