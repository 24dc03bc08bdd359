import { anonymizeFrame, regionMask, type AnonymizeSettings } from '../anonymize/anonymize.js';
import type { ScoreDrawer } from '../anonymize/labels.js';
import { clipBox, type Detection } from '../detect/box.js';
import type { Detector, FrameKind } from '../detect/detector.js';
import type { Frame } from '../media/frame.js';
import type { ReportRegion } from '../report.js';

/**
 * Two phases, so that the detector can work on the next frame while this one is anonymized and
 * encoded: `detect` may overlap between frames; `apply` runs in frame order and edits the frame in place.
 */
export interface FrameProcessor {
  /** The detection score threshold of this kind of frame (0..1), for the summary and --draw-scores. */
  readonly threshold: number;
  detect(frame: Frame): Promise<Detection[]>;
  /** Returns the bounds of each mask, as the report gives them. */
  apply(frame: Frame, detections: Detection[]): ReportRegion[];
}

/** The bounding box of what the mask covers, clipped to the frame. */
function maskBounds(d: Detection, s: AnonymizeSettings, width: number, height: number): ReportRegion {
  const m = regionMask(d, s);
  const c = Math.abs(Math.cos(m.angle));
  const sn = Math.abs(Math.sin(m.angle));
  const hw = m.rx * c + m.ry * sn;
  const hh = m.rx * sn + m.ry * c;
  return { box: clipBox({ x1: m.cx - hw, y1: m.cy - hh, x2: m.cx + hw, y2: m.cy + hh }, width, height), face: d.box, score: d.score };
}

/** `draw`: --draw-scores, one drawer (and label cache) shared by every processor of a run. */
export function createFrameProcessor(detector: Detector, kind: FrameKind, settings: AnonymizeSettings, draw: ScoreDrawer | undefined, threshold: number): FrameProcessor {
  return {
    threshold,
    detect: (frame) => detector.detect(frame, kind),
    apply(frame, detections) {
      anonymizeFrame(frame, detections, settings);
      draw?.(frame, detections);
      return detections.map((d) => maskBounds(d, settings, frame.width, frame.height));
    },
  };
}
