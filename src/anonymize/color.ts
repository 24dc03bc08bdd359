import type { PixelLayout } from '../media/frame.js';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export function parseHexColor(hex: string): Rgb | undefined {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m) return undefined;
  const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return { r: parseInt(h.slice(0, 2), 16), g: parseInt(h.slice(2, 4), 16), b: parseInt(h.slice(4, 6), 16) };
}

/** The value of each plane for a colour: RGB as is, YUV in BT.601 limited range (what the encoder assumes for SD and our raw frames). */
export function planeValues(c: Rgb, layout: PixelLayout): [number, number, number] {
  if (layout === 'rgb') return [c.r, c.g, c.b];
  const r = c.r / 255;
  const g = c.g / 255;
  const b = c.b / 255;
  return [
    Math.round(16 + 65.481 * r + 128.553 * g + 24.966 * b),
    Math.round(128 - 37.797 * r - 74.203 * g + 112 * b),
    Math.round(128 + 112 * r - 93.786 * g - 18.214 * b),
  ];
}
