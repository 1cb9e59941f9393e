// The app icon — a memory module on a dark tile — drawn once as shapes and written as SVG and PNG.
import { deflateSync } from 'node:zlib';

const TILE = '#1d3557';
const BOARD = '#e9eef4';
const PIN = '#e9c46a';

/** Shapes on a 64 × 64 grid, painted in order. */
const SHAPES = [
  { x: 0, y: 0, w: 64, h: 64, r: 12, fill: TILE },
  { x: 8, y: 20, w: 48, h: 22, r: 2, fill: BOARD },
  ...[0, 1, 2, 3].map((i) => ({ x: 12 + i * 11, y: 24, w: 8, h: 11, r: 1, fill: TILE })),
  ...Array.from({ length: 10 }, (_, j) => ({ x: 9 + j * 4.8, y: 42, w: 2.4, h: 5, r: 0, fill: PIN })),
];

export const THEME_COLOR = TILE;

export function iconSvg() {
  const body = SHAPES.map((s) => `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="${s.r}" fill="${s.fill}"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${body}</svg>\n`;
}

/** The icon as an RGBA PNG of `size` × `size` pixels (no anti-aliasing: shapes are axis-aligned). */
export function iconPng(size) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) * 64) / size;
      const y = ((py + 0.5) * 64) / size;
      const shape = SHAPES.findLast((s) => inside(s, x, y));
      if (shape) rgba.set([...hexColor(shape.fill), 255], (py * size + px) * 4);
    }
  }
  return encodePng(size, size, rgba);
}

function inside(s, x, y) {
  if (x < s.x || y < s.y || x > s.x + s.w || y > s.y + s.h) return false;
  const dx = Math.max(s.x + s.r - x, 0, x - (s.x + s.w - s.r));
  const dy = Math.max(s.y + s.r - y, 0, y - (s.y + s.h - s.r));
  return dx * dx + dy * dy <= s.r * s.r;
}

function hexColor(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function encodePng(width, height, rgba) {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
