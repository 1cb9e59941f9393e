import { MemscopeError } from '../errors.ts';

export interface SampleFiles {
  readonly image: File;
  readonly symbols: readonly File[];
}

/** What the build writes to `sample/sample.json`: paths relative to that file. */
interface SampleManifest {
  readonly image: string;
  readonly symbols: readonly string[];
}

/** Fetches the sample image the build ships, with its symbol pack, from `sample/` next to the page. */
export async function fetchSample(base = new URL('sample/', document.baseURI)): Promise<SampleFiles> {
  const manifestUrl = new URL('sample.json', base);
  const manifest = parseManifest(await (await get(manifestUrl)).json());
  const [image, ...symbols] = await Promise.all(
    [manifest.image, ...manifest.symbols].map(async (path) => {
      const url = new URL(path, base);
      const blob = await (await get(url)).blob();
      return new File([blob], url.pathname.split('/').pop() ?? path);
    }),
  );
  return { image: image!, symbols };
}

async function get(url: URL): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    // Offline, the sample is there only once it was opened online (the service worker keeps it then, not on install).
    const why = navigator.onLine ? 'is this build served from a web server?' : 'it is downloaded the first time it is opened online';
    throw new MemscopeError('READ_FAILED', `the sample could not be loaded (${why})`, url.pathname);
  }
  if (!response.ok) {
    throw new MemscopeError('READ_FAILED', `this build has no sample (HTTP ${response.status})`, url.pathname);
  }
  return response;
}

function parseManifest(data: unknown): SampleManifest {
  const m = data as Partial<SampleManifest> | null;
  if (typeof m?.image === 'string' && Array.isArray(m.symbols) && m.symbols.every((s) => typeof s === 'string')) {
    return { image: m.image, symbols: m.symbols };
  }
  throw new MemscopeError('CORRUPT', 'the sample description is not valid', 'sample/sample.json');
}
