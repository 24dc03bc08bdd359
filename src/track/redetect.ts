import { type Box, type Detection } from '../detect/box.js';
import { createDetector, type Detector } from '../detect/detector.js';
import type { Frame } from '../media/frame.js';
import { findModel } from '../models/manifest.js';
import { locateModel } from '../models/install.js';
import { squareAround } from './follow-geometry.js';
import { samplePatch } from './patch.js';

/**
 * Side of the square crop the detector sees, in pixels (a multiple of YuNet's 32-pixel stride, so no
 * padding): the region around the predicted box is resampled to it, the box's longer side to half of
 * it, 80 px, where YuNet is at its best whatever the face's size in the frame.
 */
const CROP_SIDE = 160;
/** The crop spans this many times the box's longer side: room for a face that moved or grew. */
const CROP_FACTOR = 2;
/**
 * Re-detection threshold: far below the video default (0.3), since only faces that overlap the
 * followed box are taken, and a profile or a face behind glass scores low. Candidates of issue 14
 * go down to 0.1; below 0.2 YuNet's boxes on these crops were mostly on hair and hands.
 */
export const REDETECT_THRESHOLD = 0.2;

export interface Redetector {
  /** Faces (score >= REDETECT_THRESHOLD) in the region around `near`, in frame pixels. */
  detect(frame: Frame, near: Box): Promise<Detection[]>;
  dispose(): Promise<void>;
}

/**
 * YuNet (the default model, located and checked as for any run) on a crop around the followed box,
 * on onnxruntime's CPU provider with one thread: ffmpeg and the template matching share the other core.
 */
export async function openRedetector(modelPath?: string): Promise<Redetector> {
  const entry = findModel('yunet')!;
  const detector: Detector = await createDetector({
    family: 'yunet',
    modelPath: modelPath ?? (await locateModel(entry)),
    threshold: REDETECT_THRESHOLD,
    size: {},
    provider: 'cpu',
    threads: 1,
    notice: () => undefined,
  });
  const half = CROP_SIDE / 2;
  const planes = [CROP_SIDE, half, half].map((side) => ({ data: new Uint8Array(side * side), width: side, height: side, subsample: side === CROP_SIDE ? 1 : 2 }));
  const crop: Frame = { width: CROP_SIDE, height: CROP_SIDE, layout: 'yuv420p', planes, index: 0, time: 0 };
  return {
    async detect(frame, near) {
      const region = squareAround(near, CROP_FACTOR);
      frame.planes.forEach((p, i) => {
        const s = p.subsample;
        const r = { x1: region.x1 / s, y1: region.y1 / s, x2: region.x2 / s, y2: region.y2 / s };
        samplePatch(p.data, p.width, p.height, r, planes[i]!.width, planes[i]!.height, planes[i]!.data);
      });
      const unit = (region.x2 - region.x1) / CROP_SIDE;
      const found = await detector.detect(crop);
      return found.map((d) => ({
        score: d.score,
        box: { x1: region.x1 + d.box.x1 * unit, y1: region.y1 + d.box.y1 * unit, x2: region.x1 + d.box.x2 * unit, y2: region.y1 + d.box.y2 * unit },
      }));
    },
    dispose: () => detector.dispose(),
  };
}
