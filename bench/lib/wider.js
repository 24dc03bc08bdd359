// WIDER FACE evaluation through faceblur's own library path: the same detector, masks and filter
// code the CLI runs, with coverage judged from the output pixels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rgbFrameFromInterleaved } from '../../dist/media/frame.js';
import { anonymizeFrame } from '../../dist/anonymize/anonymize.js';
import { iou } from '../../dist/detect/box.js';

export const SHARED = process.env.FACEBLUR_SHARED ?? join(import.meta.dirname, '..', '..', '..', 'shared');
export const WIDER_DIR = join(SHARED, 'data', 'wider-val');
export const SUBSETS = ['easy', 'medium', 'hard'];

/** Images with their ground truth; `pick` selects a subset (e.g. every Nth image). */
export function loadWider(pick = () => true) {
  const gt = JSON.parse(readFileSync(join(WIDER_DIR, 'gt.json'), 'utf8'));
  return gt.images.filter(pick).map((im) => ({ ...im, path: join(WIDER_DIR, 'images', im.file), event: im.file.split('/')[0] }));
}

export async function loadFrame(path) {
  const { data, info } = await sharp(path).rotate().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return rgbFrameFromInterleaved(data, info.width, info.height, info.channels);
}

const MAGENTA = { r: 255, g: 0, b: 255 };

/** A 0/1 map of the pixels that anonymizing `regions` with a solid colour changes. */
export function anonymizedMap(frame, regions, settings) {
  const copy = { ...frame, planes: frame.planes.map((p) => ({ ...p, data: Uint8Array.from(p.data) })) };
  anonymizeFrame(copy, regions, { ...settings, replaceWith: 'solid', color: MAGENTA });
  const n = frame.width * frame.height;
  const map = new Uint8Array(n);
  for (const [k, p] of copy.planes.entries()) {
    const orig = frame.planes[k].data;
    for (let i = 0; i < n; i++) if (p.data[i] !== orig[i]) map[i] = 1;
  }
  return map;
}

/** Per-image scores: each valid face's coverage and best IoU, and the spill share. */
export function scoreImage(im, map, regions) {
  const { width, height } = im;
  const faces = im.faces.map((f) => {
    let covered = 0;
    const x0 = Math.max(0, f.x), y0 = Math.max(0, f.y);
    const x1 = Math.min(width, f.x + f.w), y1 = Math.min(height, f.y + f.h);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) covered += map[y * width + x];
    const area = Math.max(1, (x1 - x0) * (y1 - y0));
    const gtBox = { x1: f.x, y1: f.y, x2: f.x + f.w, y2: f.y + f.h };
    const bestIou = regions.reduce((m, r) => Math.max(m, iou(r.box, gtBox)), 0);
    return { ...f, coverage: covered / area, iou: bestIou };
  });
  // Spill: anonymized pixels outside every ground-truth box (invalid ones too) enlarged 2x about its centre.
  const allowed = new Uint8Array(width * height);
  for (const f of im.faces) {
    const cx = f.x + f.w / 2, cy = f.y + f.h / 2;
    const xa = Math.max(0, Math.floor(cx - f.w)), xb = Math.min(width, Math.ceil(cx + f.w));
    const ya = Math.max(0, Math.floor(cy - f.h)), yb = Math.min(height, Math.ceil(cy + f.h));
    for (let y = ya; y < yb; y++) allowed.fill(1, y * width + xa, y * width + xb);
  }
  let spill = 0;
  for (let i = 0; i < map.length; i++) if (map[i] && !allowed[i]) spill++;
  return { faces, spill: spill / map.length };
}

/** Sums per-image scores into recall per subset, detection recall at IoU >= 0.5, and mean spill. */
export function summarize(scored, coverageNeeded = 0.8) {
  const out = {};
  for (const s of SUBSETS) {
    const faces = scored.flatMap((x) => x.faces.filter((f) => !f.invalid && f[s]));
    out[s] = {
      faces: faces.length,
      coverageRecall: faces.filter((f) => f.coverage >= coverageNeeded).length / faces.length,
      detectionRecall: faces.filter((f) => f.iou >= 0.5).length / faces.length,
    };
  }
  out.spill = scored.reduce((a, x) => a + x.spill, 0) / scored.length;
  return out;
}
