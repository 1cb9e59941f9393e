/** Sizes as the page, the CLI and plugins (image.info) print them. */
const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** "16.0 MiB" — binary units, one decimal. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** "16.0 MiB (16,777,216 bytes)" */
export function formatSizeExact(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${formatSize(bytes)} (${bytes.toLocaleString('en-US')} bytes)`;
}
