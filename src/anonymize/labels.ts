import type { Detection } from '../detect/box.js';
import type { Frame } from '../media/frame.js';
import { planeValues } from './color.js';

interface Label {
  width: number;
  height: number;
  /** Per-pixel luminance (0 = black outline … 1 = white text) and coverage. */
  shade: Float32Array;
  alpha: Float32Array;
}

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

export type ScoreDrawer = (frame: Frame, detections: readonly Detection[]) => void;

/**
 * Draws each detection's score above its box, white on a black outline, in any pixel layout. The
 * canvas library is loaded only for this (23 MB of memory that runs without --draw-scores do not need).
 */
export async function createScoreDrawer(): Promise<ScoreDrawer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  // Rendered labels are reused across frames; scores are printed to two decimals, so the set stays small.
  const cache = new Map<string, Label>();
  return (frame, detections) => {
    const fontSize = Math.max(12, Math.round(frame.height / 40));
    const white = planeValues({ r: 255, g: 255, b: 255 }, frame.layout);
    const black = planeValues({ r: 0, g: 0, b: 0 }, frame.layout);
    for (const d of detections) {
      const text = d.score.toFixed(2);
      const key = `${text}@${fontSize}`;
      let label = cache.get(key);
      if (!label) {
        label = renderLabel(createCanvas, text, fontSize);
        cache.set(key, label);
      }
      const left = Math.round(d.box.x1);
      const above = Math.round(d.box.y1) - label.height;
      const top = above >= 0 ? above : Math.round(d.box.y2);
      frame.planes.forEach((plane, p) => {
        const sub = plane.subsample;
        for (let ly = 0; ly < label.height; ly += sub) {
          const py = Math.floor((top + ly) / sub);
          if (py < 0 || py >= plane.height) continue;
          for (let lx = 0; lx < label.width; lx += sub) {
            const px = Math.floor((left + lx) / sub);
            if (px < 0 || px >= plane.width) continue;
            const k = ly * label.width + lx;
            const a = label.alpha[k]!;
            if (a === 0) continue;
            const s = label.shade[k]!;
            const colour = black[p]! + (white[p]! - black[p]!) * s;
            const i = py * plane.width + px;
            plane.data[i] = Math.round(plane.data[i]! * (1 - a) + colour * a);
          }
        }
      });
    }
  };
}
