import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { iou, type Box } from '../../src/detect/box.js';
import { createDetector } from '../../src/detect/detector.js';
import type { ModelFamily } from '../../src/models/manifest.js';
import { rgbFrameFromInterleaved } from '../../src/media/frame.js';
import { MODEL_DIR, WIDER } from '../helpers.js';

// RetinaFace and SCRFD on real WIDER FACE photos: a wrong prior order, variance, anchor centre,
// colour order or normalization loses most faces or misplaces every box, so these bounds fail.

interface GtFace { x: number; y: number; w: number; h: number; easy: boolean; invalid: number }
const images = (JSON.parse(readFileSync(join(WIDER, 'gt.json'), 'utf8')) as { images: { file: string; faces: GtFace[] }[] }).images;
const boxOf = (f: GtFace): Box => ({ x1: f.x, y1: f.y, x2: f.x + f.w, y2: f.y + f.h });

async function loadFrame(file: string) {
  const { data, info } = await sharp(join(WIDER, 'images', file)).raw().toBuffer({ resolveWithObject: true });
  return rgbFrameFromInterleaved(data, info.width, info.height, info.channels);
}

const families: [ModelFamily, string, boolean][] = [
  ['retinaface', 'retinaface_mnet025_dynamic.onnx', true],
  ['scrfd', 'scrfd_1g_dynamic.onnx', false],
  ['scrfd', 'scrfd_500m_kps_dynamic.onnx', true],
];

describe.each(families)('%s (%s) on WIDER FACE photos', (family, file, hasLandmarks) => {
  it('finds at least 90% of the easy faces of a slice at IoU >= 0.5, with few false detections', async () => {
    const det = await createDetector({ family, modelPath: join(MODEL_DIR, file), threshold: 0.5, size: {}, provider: 'cpu', threads: 2, notice: () => undefined });
    let easy = 0;
    let found = 0;
    let detections = 0;
    let matched = 0;
    let upright = 0;
    const slice = images.filter((_, i) => i % 13 === 0);
    for (const im of slice) {
      const dets = await det.detect(await loadFrame(im.file));
      const faces = im.faces.filter((f) => !f.invalid).map(boxOf);
      detections += dets.length;
      matched += dets.filter((d) => faces.some((g) => iou(d.box, g) >= 0.4)).length;
      for (const f of im.faces.filter((x) => x.easy && !x.invalid)) {
        easy++;
        if (dets.some((d) => iou(d.box, boxOf(f)) >= 0.5)) found++;
      }
      for (const d of dets) {
        if (!hasLandmarks) expect(d.landmarks).toBeUndefined();
        else {
          // The image's right eye left of its left eye, both above the mouth corners (a profile may break this).
          const [re, le, , rm, lm] = d.landmarks!;
          if (re!.x < le!.x && Math.max(re!.y, le!.y) < Math.min(rm!.y, lm!.y)) upright++;
        }
      }
    }
    await det.dispose();
    expect(easy).toBeGreaterThan(20);
    expect(found / easy).toBeGreaterThanOrEqual(0.9);
    // WIDER leaves many real faces unlabelled, so "unmatched" overstates false alarms; most must match.
    expect(matched / detections).toBeGreaterThanOrEqual(0.75);
    if (hasLandmarks) expect(upright / detections).toBeGreaterThanOrEqual(0.9);
  });
});
