/**
 * Draws the app's PNG icons (the favicon's speech bubble with a tick) for the web app
 * manifest: `node apps/web/scripts/make-icons.mjs` writes public/icons/icon-{192,512}.png
 * and a maskable variant with the safe-zone padding. Pure Node (zlib), no image library;
 * the output is committed, so builds need not run it.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x4f, 0xd8];
const WHITE = [0xff, 0xff, 0xff];

/** Signed distance helpers in the favicon's 64×64 design space. */
const roundRect = (x, y, x0, y0, x1, y1, r) => {
  const qx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const qy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(qx, qy) <= r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
};
const segment = (x, y, ax, ay, bx, by, w) => {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) <= w / 2;
};
const triangle = (x, y, [ax, ay], [bx, by], [cx, cy]) => {
  const s = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = s(x, y, ax, ay, bx, by),
    d2 = s(x, y, bx, by, cx, cy),
    d3 = s(x, y, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

/** The colour at a design-space point, or null outside the icon; `full` fills the square (maskable). */
function colour(x, y, full) {
  if (!full && !roundRect(x, y, 0, 0, 64, 64, 16)) return null;
  const bubble = roundRect(x, y, 16, 14, 48, 42, 8) || triangle(x, y, [21, 40], [30, 42], [21, 50]);
  if (!bubble) return BLUE;
  return segment(x, y, 27, 28, 31, 32, 3.5) || segment(x, y, 31, 32, 38, 24, 3.5) ? BLUE : WHITE;
}

function png(size, { maskable }) {
  const rows = [];
  const scale = maskable ? 64 / (size * 0.8) : 64 / size; // maskable: the art in the central 80 %
  const offset = maskable ? size * 0.1 : 0;
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (const [sx, sy] of [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.25, 0.75],
        [0.75, 0.75],
      ]) {
        const x = (px + sx - offset) * scale,
          y = (py + sy - offset) * scale;
        const inside = x >= 0 && x <= 64 && y >= 0 && y <= 64;
        const c = inside ? colour(x, y, maskable) : maskable ? BLUE : null;
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
      const n = a / 255;
      row.set(
        n === 0 ? [0, 0, 0, 0] : [Math.round(r / n), Math.round(g / n), Math.round(b / n), Math.round(a / 4)],
        1 + px * 4,
      );
    }
    rows.push(row);
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const out = new URL('../public/icons/', import.meta.url);
for (const size of [192, 512]) writeFileSync(new URL(`icon-${size}.png`, out), png(size, { maskable: false }));
writeFileSync(new URL('maskable-512.png', out), png(512, { maskable: true }));
