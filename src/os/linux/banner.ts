import type { VirtualLayer } from '../../layers/virtual-layer.ts';
import { indexOfBytes } from './byte-search.ts';
import type { Vmcoreinfo } from './vmcoreinfo.ts';

const CHUNK = 1024 * 1024;
/** linux_banner lives in .rodata, a few tens of MiB after _stext at most. */
const SEARCH_LIMIT = 96 * 1024 * 1024;
const MAX_BANNER = 512;
const latin1 = new TextDecoder('latin1');

/** A built banner's version field starts with the build number ("#1 SMP", "#38~22.04.1-Ubuntu"). */
const BUILT = / #\d/;

/** linux_banner and the kallsyms tables are both .rodata; on 6.x kernels VMCOREINFO locates the latter. */
const NEAR_KALLSYMS = 4 * 1024 * 1024;

/**
 * The kernel banner ("Linux version <release> (...) #1 SMP ..."): the first copy naming this release whose
 * version has a build number (6.x kernels also keep the unbuilt "... # SMP" weak default). Searched for
 * around the kallsyms tables when VMCOREINFO names them, else in the kernel image from _stext on. Null when
 * the image has none.
 */
export async function findBanner(kernel: VirtualLayer, info: Vmcoreinfo): Promise<string | null> {
  const near = info.symbol('kallsyms_names');
  return (
    (near !== undefined ? await searchBanner(kernel, info, near - BigInt(NEAR_KALLSYMS), 2 * NEAR_KALLSYMS) : null) ??
    searchBanner(kernel, info, info.symbol('_stext')!, SEARCH_LIMIT)
  );
}

async function searchBanner(kernel: VirtualLayer, info: Vmcoreinfo, start: bigint, length: number): Promise<string | null> {
  const needle = new TextEncoder().encode(`Linux version ${info.osRelease} (`);
  let fallback: string | null = null;
  for (let at = 0; at < length; at += CHUNK) {
    const chunk = await kernel.readPadded(start + BigInt(at), CHUNK + MAX_BANNER);
    for (let hit = indexOfBytes(chunk, needle, 0, CHUNK); hit >= 0; hit = indexOfBytes(chunk, needle, hit + 1, CHUNK)) {
      const banner = bannerAt(chunk.subarray(hit, hit + MAX_BANNER));
      if (BUILT.test(banner)) return banner;
      fallback ??= banner;
    }
  }
  return fallback;
}

/** Banner text from its first byte: up to the newline or NUL that ends it. */
export function bannerAt(bytes: Uint8Array): string {
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0 && bytes[end] !== 0x0a) end++;
  return latin1.decode(bytes.subarray(0, end));
}
