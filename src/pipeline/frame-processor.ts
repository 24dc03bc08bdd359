import { anonymizeFrame, regionMask, type AnonymizeSettings } from '../anonymize/anonymize.js';
import type { ScoreDrawer } from '../anonymize/labels.js';
import { clipBox, type Detection } from '../detect/box.js';
import type { Detector, FrameKind } from '../detect/detector.js';
import { facesAmong, type LargeFaceRule } from '../detect/large-face.js';
import type { Frame } from '../media/frame.js';
import type { ReportRegion } from '../report.js';
import { isPlausibleFace } from '../track/plausible.js';
import type { Region } from './regions.js';

/**
 * Two phases, so that the detector can work on the next frame while this one is anonymized and
 * encoded: `detect` may overlap between frames; `apply` runs in frame order and edits the frame in place.
 */
export interface FrameProcessor {
  /** The detection score threshold of this kind of frame (0..1), for the summary and --draw-scores. */
  readonly threshold: number;
  /** Detections from `threshold` up (from LargeFaceRule's threshold for large boxes). */
  detect(frame: Frame): Promise<Detection[]>;
  /** Returns the bounds of each mask, as the report gives them. */
  apply(frame: Frame, regions: Region[]): ReportRegion[];
}

/** The bounding box of what the mask covers, clipped to the frame. */
function maskBounds(d: Region, s: AnonymizeSettings, width: number, height: number): ReportRegion {
  const m = regionMask(d, s);
  const c = Math.abs(Math.cos(m.angle));
  const sn = Math.abs(Math.sin(m.angle));
  const hw = m.rx * c + m.ry * sn;
  const hh = m.rx * sn + m.ry * c;
  const box = clipBox({ x1: m.cx - hw, y1: m.cy - hh, x2: m.cx + hw, y2: m.cy + hh }, width, height);
  return { box, face: clipBox(d.box, width, height), score: d.score, ...(d.kind ? { kind: d.kind } : {}), ...(d.trackId === undefined ? {} : { track: d.trackId }) };
}

/**
 * `draw`: --draw-scores, one drawer (and label cache) shared by every processor of a run; with it,
 * the detector also returns candidates below `threshold`, which are kept aside here for the drawing
 * and never anonymized or tracked.
 */
export function createFrameProcessor(
  detector: Detector,
  kind: FrameKind,
  settings: AnonymizeSettings,
  draw: ScoreDrawer | undefined,
  threshold: number,
  largeFace?: LargeFaceRule,
): FrameProcessor {
  // Each frame's candidates below the threshold, from its detection until it is drawn.
  const below = new WeakMap<Frame, Detection[]>();
  return {
    threshold,
    async detect(frame) {
      // A box of a shape no face has is no face, with or without tracking, in photos as in video.
      const found = (await detector.detect(frame, kind)).filter((d) => isPlausibleFace(d.box, frame));
      const faces = facesAmong(found, frame, threshold, largeFace);
      if (draw) below.set(frame, found.filter((d) => !faces.includes(d)));
      return faces;
    },
    apply(frame, detections) {
      anonymizeFrame(frame, detections, settings);
      draw?.(frame, detections, below.get(frame) ?? []);
      below.delete(frame);
      return detections.map((d) => maskBounds(d, settings, frame.width, frame.height));
    },
  };
}
