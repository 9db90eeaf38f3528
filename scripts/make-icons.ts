/**
 * Draws the Teams app icons, deterministically, into manifests/teams/:
 *   color.png   192x192: a calm-blue rounded square with two overlapping white rings ("ensemble");
 *   outline.png  32x32:  the same rings, white on transparent (Teams accepts only white and transparency there).
 *
 *   node scripts/make-icons.ts
 *
 * A tiny PNG encoder (signature, IHDR, IDAT, IEND; CRC32 from node:zlib) is enough here: no image library.
 * Written as CommonJS with type-only imports, so Node runs it as it is (type stripping) and tsc type-checks it.
 */
import type * as FsTypes from 'node:fs';
import type * as PathTypes from 'node:path';
import type * as ZlibTypes from 'node:zlib';

const fs: typeof FsTypes = require('node:fs');
const path: typeof PathTypes = require('node:path');
const zlib: typeof ZlibTypes = require('node:zlib');

export type Rgba = [number, number, number, number];
/** Coverage of a point (x, y) in pixel units, 0 (outside) to 1 (inside). */
type Shape = (x: number, y: number) => boolean;

export interface Image {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel, row after row. */
  data: Uint8Array;
}

const BLUE: Rgba = [0x2f, 0x5f, 0xa7, 255];
const WHITE: Rgba = [255, 255, 255, 255];
/** Samples a pixel side (SS x SS per pixel) for smooth edges. */
const SS = 8;

function createImage(width: number, height: number): Image {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** Paints `colour` over the image wherever `shape` covers it, with coverage as alpha ("source over"). */
function paint(img: Image, shape: Shape, colour: Rgba): void {
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      let hits = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          if (shape(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS)) hits++;
        }
      }
      if (hits === 0) continue;
      const a = (hits / (SS * SS)) * (colour[3] / 255);
      const i = (y * img.width + x) * 4;
      const da = img.data[i + 3] / 255;
      const outA = a + da * (1 - a);
      for (let c = 0; c < 3; c++) {
        const src = colour[c];
        const dst = img.data[i + c];
        img.data[i + c] = Math.round((src * a + dst * da * (1 - a)) / outA);
      }
      img.data[i + 3] = Math.round(outA * 255);
    }
  }
}

function roundedSquare(size: number, radius: number): Shape {
  return (x, y) => {
    const cx = Math.min(Math.max(x, radius), size - radius);
    const cy = Math.min(Math.max(y, radius), size - radius);
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
  };
}

function disc(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function ring(cx: number, cy: number, r: number, stroke: number): Shape {
  const outer = r + stroke / 2;
  const inner = r - stroke / 2;
  return (x, y) => {
    const d2 = (x - cx) ** 2 + (y - cy) ** 2;
    return d2 <= outer * outer && d2 >= inner * inner;
  };
}

/** Two overlapping rings and their filled common lens, centred in a `size` square. */
function ensembleMark(size: number, scale: number, stroke: number): Shape {
  const c = size / 2;
  const r = size * 0.2 * scale;
  const offset = r * 0.62;
  const left = ring(c - offset, c, r, stroke);
  const right = ring(c + offset, c, r, stroke);
  const lens = (x: number, y: number) => disc(c - offset, c, r)(x, y) && disc(c + offset, c, r)(x, y);
  return (x, y) => left(x, y) || right(x, y) || lens(x, y);
}

function drawColorIcon(): Image {
  const size = 192;
  const img = createImage(size, size);
  paint(img, roundedSquare(size, 40), BLUE);
  paint(img, ensembleMark(size, 1, 11), WHITE);
  return img;
}

function drawOutlineIcon(): Image {
  const size = 32;
  const img = createImage(size, size);
  paint(img, ensembleMark(size, 1.2, 2.2), WHITE);
  // Teams wants the outline icon white on transparent: every pixel is white, only alpha varies.
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i] = 255;
    img.data[i + 1] = 255;
    img.data[i + 2] = 255;
  }
  return img;
}

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typeAndBody = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndBody) >>> 0);
  return Buffer.concat([length, typeAndBody, crc]);
}

/** Encodes an RGBA image as PNG: colour type 6, 8 bits, filter 0 on every row. */
function encodePng(img: Image): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    raw[y * (stride + 1)] = 0;
    Buffer.from(img.data.buffer, img.data.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function main(): void {
  const outDir = path.resolve(__dirname, '..', 'manifests', 'teams');
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, img] of [
    ['color.png', drawColorIcon()],
    ['outline.png', drawOutlineIcon()],
  ] as const) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, encodePng(img));
    process.stdout.write(`${path.relative(process.cwd(), file)} (${img.width}x${img.height})\n`);
  }
}

module.exports = { drawColorIcon, drawOutlineIcon, encodePng };
if (require.main === module) main();
