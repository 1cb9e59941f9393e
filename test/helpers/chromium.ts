/**
 * Where the browser tests and the bench find Chromium or Chrome: $CHROME_PATH, else the usual install paths
 * (Debian/Ubuntu, snap, macOS, Windows). Test tools never download a browser of their own.
 */
import { existsSync } from 'node:fs';

export const CHROME_ENV = 'CHROME_PATH';

const INSTALL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** Headless Chromium on this machine: no sandbox as root, no GPU, and none of its own network traffic (the machine has none). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The browser's executable, or undefined when none is installed. */
export function findChromium(): string | undefined {
  const fromEnv = process.env[CHROME_ENV];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return INSTALL_PATHS.find((p) => existsSync(p));
}

export const NO_CHROMIUM = `no Chromium or Chrome found (looked at $${CHROME_ENV} and ${INSTALL_PATHS.slice(0, 5).join(', ')}, ...): install it (Debian: apt-get install chromium) or set ${CHROME_ENV}`;
