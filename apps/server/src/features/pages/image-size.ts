/**
 * The pixel size of a PNG, JPEG or WebP image, read from its header bytes (PNG IHDR, the JPEG
 * start-of-frame marker, the WebP VP8/VP8L/VP8X chunk), or undefined when the header is not
 * there or does not parse: such an image is refused rather than trusted.
 */
export interface ImageSize {
  width: number;
  height: number;
}

function png(data: Buffer): ImageSize | undefined {
  if (data.length < 24 || data.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Start-of-frame markers (baseline, progressive, …); not DHT (C4), JPG (C8) or DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(data: Buffer): ImageSize | undefined {
  let at = 2;
  while (at + 9 < data.length) {
    if (data[at] !== 0xff) return undefined;
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = data.readUInt16BE(at + 2);
    if (SOF.has(marker)) return { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function webp(data: Buffer): ImageSize | undefined {
  if (data.length < 30) return undefined;
  const chunk = data.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8X') return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  return undefined;
}

export function imageSize(data: Buffer, type: 'image/png' | 'image/jpeg' | 'image/webp'): ImageSize | undefined {
  const size = type === 'image/png' ? png(data) : type === 'image/jpeg' ? jpeg(data) : webp(data);
  return size !== undefined && size.width > 0 && size.height > 0 ? size : undefined;
}
