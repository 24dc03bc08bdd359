import type { Box, Detection } from '../detect/box.js';
import type { Frame } from '../media/frame.js';
import { planeValues, type Rgb } from './color.js';

interface Label {
  width: number;
  height: number;
  /** Per-pixel luminance (0 = black outline … 1 = the fill colour) and coverage. */
  shade: Float32Array;
  alpha: Float32Array;
}

/** A rectangle in frame pixels: left, top, width, height. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Boxes and labels of detections that pass the threshold (green), and of those just below it (amber). */
export const PASS_COLOUR: Rgb = { r: 61, g: 220, b: 132 };
export const BELOW_COLOUR: Rgb = { r: 255, g: 176, b: 32 };

type CreateCanvas = (typeof import('@napi-rs/canvas'))['createCanvas'];

function renderLabel(createCanvas: CreateCanvas, text: string, fontSize: number): Label {
  const probe = createCanvas(1, 1).getContext('2d');
  probe.font = `bold ${fontSize}px sans-serif`;
  const width = Math.ceil(probe.measureText(text).width) + 6;
  const height = Math.ceil(fontSize * 1.3) + 4;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.font = probe.font;
  ctx.textBaseline = 'top';
  ctx.lineWidth = Math.max(2, fontSize / 6);
  ctx.strokeStyle = 'black';
  ctx.fillStyle = 'white';
  ctx.strokeText(text, 3, 2);
  ctx.fillText(text, 3, 2);
  const { data } = ctx.getImageData(0, 0, width, height);
  const shade = new Float32Array(width * height);
  const alpha = new Float32Array(width * height);
  for (let i = 0; i < shade.length; i++) {
    shade[i] = data[i * 4]! / 255;
    alpha[i] = data[i * 4 + 3]! / 255;
  }
  return { width, height, shade, alpha };
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where each box's label goes, so that no two labels overlap: the first free spot of above the box,
 * below it, above its right edge, inside its top, then stacked further above. Boxes are placed in
 * the order given (callers put the most important first). `sizes[i]` is label i's width and height;
 * a label is kept inside the frame. When every spot is taken (a crowd of tiny faces), the label
 * goes above its box regardless.
 */
export function placeLabels(boxes: readonly Box[], sizes: readonly { w: number; h: number }[], width: number, height: number): Rect[] {
  const placed: Rect[] = [];
  return boxes.map((b, i) => {
    const { w, h } = sizes[i]!;
    const x1 = Math.round(b.x1);
    const y1 = Math.round(b.y1);
    const spots = [
      { x: x1, y: y1 - h },
      { x: x1, y: Math.round(b.y2) },
      { x: Math.round(b.x2) - w, y: y1 - h },
      { x: x1, y: y1 },
      ...Array.from({ length: 6 }, (_, k) => ({ x: x1, y: y1 - h * (k + 2) })),
    ].map((p): Rect => ({ x: Math.min(Math.max(0, p.x), Math.max(0, width - w)), y: Math.min(Math.max(0, p.y), Math.max(0, height - h)), w, h }));
    const free = spots.find((r) => !placed.some((p) => overlaps(p, r))) ?? spots[0]!;
    placed.push(free);
    return free;
  });
}

/** Paints a filled rectangle (frame pixels) in every plane, at each plane's resolution. */
function fillRect(frame: Frame, r: Rect, values: readonly number[]): void {
  frame.planes.forEach((plane, p) => {
    const s = plane.subsample;
    const [x0, x1] = [Math.max(0, Math.floor(r.x / s)), Math.min(plane.width, Math.ceil((r.x + r.w) / s))];
    const [y0, y1] = [Math.max(0, Math.floor(r.y / s)), Math.min(plane.height, Math.ceil((r.y + r.h) / s))];
    for (let y = y0; y < y1; y++) plane.data.fill(values[p]!, y * plane.width + x0, y * plane.width + Math.max(x0, x1));
  });
}

function drawOutline(frame: Frame, b: Box, thickness: number, values: readonly number[]): void {
  const x = Math.round(b.x1);
  const y = Math.round(b.y1);
  const w = Math.max(1, Math.round(b.x2) - x);
  const h = Math.max(1, Math.round(b.y2) - y);
  for (const r of [
    { x, y, w, h: thickness },
    { x, y: y + h - thickness, w, h: thickness },
    { x, y, w: thickness, h },
    { x: x + w - thickness, y, w: thickness, h },
  ]) fillRect(frame, r, values);
}

function drawLabel(frame: Frame, label: Label, at: Rect, fill: readonly number[], black: readonly number[]): void {
  frame.planes.forEach((plane, p) => {
    const sub = plane.subsample;
    for (let ly = 0; ly < label.height; ly += sub) {
      const py = Math.floor((at.y + ly) / sub);
      if (py < 0 || py >= plane.height) continue;
      for (let lx = 0; lx < label.width; lx += sub) {
        const px = Math.floor((at.x + lx) / sub);
        if (px < 0 || px >= plane.width) continue;
        const k = ly * label.width + lx;
        const a = label.alpha[k]!;
        if (a === 0) continue;
        const colour = black[p]! + (fill[p]! - black[p]!) * label.shade[k]!;
        const i = py * plane.width + px;
        plane.data[i] = Math.round(plane.data[i]! * (1 - a) + colour * a);
      }
    }
  });
}

/** Draws `shown` (regions that pass the threshold) and `below` (candidates under it) with their scores. */
export type ScoreDrawer = (frame: Frame, shown: readonly Detection[], below: readonly Detection[]) => void;

/**
 * Draws each detection's box and its score, green when it passes the threshold and amber when it
 * falls just below (what a lower --thresh would add), labels placed so that none overlaps another.
 * The canvas library is loaded only for this (23 MB of memory that runs without --draw-scores do not need).
 */
export async function createScoreDrawer(): Promise<ScoreDrawer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  // Rendered labels are reused across frames; scores are printed to two decimals, so the set stays small.
  const cache = new Map<string, Label>();
  const labelFor = (text: string, fontSize: number) => {
    const key = `${text}@${fontSize}`;
    let label = cache.get(key);
    if (!label) {
      label = renderLabel(createCanvas, text, fontSize);
      cache.set(key, label);
    }
    return label;
  };
  return (frame, shown, below) => {
    const fontSize = Math.max(12, Math.round(frame.height / 40));
    const thickness = Math.max(1, Math.round(frame.height / 360));
    const black = planeValues({ r: 0, g: 0, b: 0 }, frame.layout);
    const colours = { pass: planeValues(PASS_COLOUR, frame.layout), below: planeValues(BELOW_COLOUR, frame.layout) };
    // Passing detections first, best first: theirs are the labels that get the natural spot.
    const all = [
      ...[...shown].sort((a, b) => b.score - a.score).map((d) => ({ d, colour: colours.pass })),
      ...[...below].sort((a, b) => b.score - a.score).map((d) => ({ d, colour: colours.below })),
    ];
    const labels = all.map(({ d }) => labelFor(d.score.toFixed(2), fontSize));
    const spots = placeLabels(all.map(({ d }) => d.box), labels.map((l) => ({ w: l.width, h: l.height })), frame.width, frame.height);
    all.forEach(({ d, colour }) => drawOutline(frame, d.box, thickness, colour));
    all.forEach(({ colour }, i) => drawLabel(frame, labels[i]!, spots[i]!, colour, black));
  };
}
