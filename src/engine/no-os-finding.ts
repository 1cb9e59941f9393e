import { isTruncationWarning } from '../formats/truncation.ts';
import { RANDOM_ENTROPY, type ContentSample } from './content-sample.ts';
import type { NoOsFinding } from './engine-api.ts';

/** What is known of an image in which no OS kernel could be read. */
export interface NoOsClues {
  /** The OSes memscope looks for ("Windows", "Linux"), in registry order. */
  readonly osNames: readonly string[];
  /** Each OS's discovery, concluded without it: why (partial: the OS was seen, but its kernel cannot be read). */
  readonly misses: readonly { readonly why: string; readonly partial: boolean }[];
  /** The container's warnings (a truncated file says so there). */
  readonly containerWarnings: readonly string[];
  /** What the file is by its first bytes (raw files only), e.g. "a PNG image". */
  readonly fileType: string | undefined;
  readonly sample: ContentSample;
}

/**
 * Says plainly why the image shows no OS, most telling reason first: a capture cut short (the container says so, or an
 * OS was seen whose kernel is not all there), then content that cannot be memory (a known file type, all zeros,
 * near-random), else that none of the OSes memscope knows was found — always with what was checked.
 */
export function noOsFinding(clues: NoOsClues): NoOsFinding {
  const { sample } = clues;
  const found = clues.misses.filter((m) => m.partial).map((m) => m.why);
  const checked = [...clues.misses.filter((m) => !m.partial).map((m) => m.why), contentLine(sample)];
  const finding = (kind: NoOsFinding['kind'], short: string, verdict: string): NoOsFinding => ({ kind, short, verdict, found, checked });

  if (clues.containerWarnings.some(isTruncationWarning)) {
    return finding(
      'truncated',
      'none readable: truncated capture',
      found.length > 0
        ? 'Truncated capture: the file ends before all the memory it declares. What is left still shows an operating system ' +
            '(below), but not the parts needed to read its kernel, so no plugin can run.'
        : 'Truncated capture: the file ends before all the memory it declares, and no operating system kernel was found in ' +
            'the part that is left.',
    );
  }
  if (found.length > 0) {
    return finding(
      'incomplete',
      'none readable: capture incomplete',
      'An operating system is in the image (below), but the memory needed to read its kernel is not: the capture is ' +
        'probably truncated (cut short while it was written or copied) or incomplete.',
    );
  }
  if (clues.fileType) {
    return finding('file-type', `none: ${clues.fileType}`, `Not a memory capture: its first bytes are those of ${clues.fileType}.`);
  }
  const everywhere = sample.places > 0 ? `all ${sample.places} places sampled` : '';
  if (everywhere && sample.zeroPlaces === sample.places) {
    return finding(
      'zeros',
      'none: all zeros',
      `Not a memory capture: every byte read is zero (${sizeText(sample.bytes)} at ${everywhere} across the file) — a ` +
        'capture that recorded nothing, or a wiped or empty file.',
    );
  }
  if (everywhere && sample.randomPlaces === sample.places) {
    return finding(
      'random',
      'none: near-random data',
      `Not raw memory: the content is near-random throughout (at least ${RANDOM_ENTROPY} bits of entropy per byte at ` +
        `${everywhere}) — encrypted or compressed data. An encrypted or compressed capture must be decrypted or ` +
        'decompressed first.',
    );
  }
  return finding(
    'unrecognised',
    'none found',
    `No operating system found: no ${clues.osNames.join(' or ')} kernel memscope can recognise is in the image (what was checked is below).`,
  );
}

function contentLine(sample: ContentSample): string {
  if (sample.places === 0) return 'content: no captured memory to sample';
  return (
    `content: ${sizeText(sample.bytes)} read at ${sample.places} places spread over the captured memory — ` +
    `${sample.zeroPlaces} all zeros, ${sample.randomPlaces} near-random; ` +
    `entropy ${sample.minEntropy.toFixed(2)}–${sample.maxEntropy.toFixed(2)} bits per byte`
  );
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
