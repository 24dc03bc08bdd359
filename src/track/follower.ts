import { boxHeight, boxWidth, clipBox, iou, type Box } from '../detect/box.js';
import type { Frame } from '../media/frame.js';
import { applyRelation, damp, predictBox, relationOf, STILL, updateMotion, visibleFraction, type Motion, type Relation } from './follow-geometry.js';
import type { OpenCv } from './opencv.js';
import type { Redetector } from './redetect.js';
import { createTemplateTracker, TEMPLATE_BLEND, TEMPLATE_UPDATE_SCORE } from './template-tracker.js';

/**
 * What confirms the box in each frame: re-detection near the prediction, template matching, or both
 * (the default; the others exist to measure what each part adds, see docs/accuracy.md).
 */
export type FollowMethod = 'combined' | 'visual' | 'detector';

/**
 * Below this normalised cross-correlation a template match does not confirm the box. At 0.5 the
 * moving clips of bench:track lose a region mostly when it is really gone (docs/accuracy.md); a
 * blurred or darkened frame of a face still matches at 0.6–0.9.
 */
export const LOST_SCORE = 0.5;
/**
 * A track is lost after this many frames in a row that nothing confirmed (a third of a second at 30
 * fps): enough to carry a region behind a passing occluder, short enough not to wander far. The
 * unconfirmed frames at the end of a lost track are dropped.
 */
export const MAX_MISSES = 10;
/** A track ends when less than this share of its box is inside the frame: the region has left. */
export const MIN_VISIBLE = 0.25;
/** A re-detection continues the track when it overlaps the expected box at least this much (IoU). */
const MATCH_IOU = 0.3;

export interface Step {
  /** Clipped to the frame, in pixels. */
  box: Box;
  /** 0..1: the detector's score, or the template match's correlation, whichever confirmed the box. */
  score: number;
  /** False for frames carried by the predicted motion alone. */
  confirmed: boolean;
}

export interface Follower {
  /** The box in the next frame of this direction, or undefined when the region is lost or has left the frame. */
  step(frame: Frame): Promise<Step | undefined>;
  dispose(): void;
}

/**
 * How the drawn box relates to a face the detector sees in it at the seed frame, or undefined when
 * the region is not face-like (then only the template follows it).
 */
export async function faceRelation(redetector: Redetector, frame: Frame, drawn: Box): Promise<Relation | undefined> {
  const found = await redetector.detect(frame, drawn);
  const best = found.map((d) => ({ d, o: iou(d.box, drawn) })).sort((a, b) => b.o - a.o)[0];
  return best && best.o >= MATCH_IOU ? relationOf(drawn, best.d.box) : undefined;
}

/** Follows the region `seed` of frame `first` through the frames given to step(), in the order given (forward or backward). */
export function createFollower(
  parts: { cv: OpenCv; redetector?: Redetector | undefined; relation?: Relation | undefined; method: FollowMethod },
  first: Frame,
  seed: Box,
): Follower {
  const { method, redetector, relation } = parts;
  const luma = (f: Frame) => f.planes[0]!;
  const template = method === 'detector' ? undefined : createTemplateTracker(parts.cv, luma(first), seed);
  let box = seed;
  let motion: Motion = STILL;
  let misses = 0;

  const redetect = async (frame: Frame, near: Box): Promise<{ box: Box; score: number } | undefined> => {
    if (!redetector || !relation) return undefined;
    const mapped = (await redetector.detect(frame, near)).map((d) => ({ box: applyRelation(relation, d.box), score: d.score }));
    const best = mapped.map((m) => ({ m, o: iou(m.box, near) })).sort((a, b) => b.o - a.o)[0];
    return best && best.o >= MATCH_IOU ? best.m : undefined;
  };

  return {
    async step(frame) {
      const predicted = predictBox(box, motion);
      const reach = 0.5 * Math.max(boxWidth(box), boxHeight(box)) + Math.hypot(motion.dx, motion.dy);
      const seen = template?.match(luma(frame), predicted, reach);
      const visual = seen && seen.score >= LOST_SCORE ? seen : undefined;
      const detected = await redetect(frame, visual?.box ?? predicted);
      const next = detected ?? visual;
      if (next) {
        // A detection re-anchors the template (it may have drifted); a good match refreshes it a little.
        if (detected) template?.learn(luma(frame), detected.box, 1);
        else if (next.score >= TEMPLATE_UPDATE_SCORE) template?.learn(luma(frame), next.box, TEMPLATE_BLEND);
        motion = updateMotion(motion, box, next.box);
        misses = 0;
        box = next.box;
      } else {
        motion = damp(motion);
        misses++;
        box = predicted;
      }
      if (misses > MAX_MISSES || visibleFraction(box, frame.width, frame.height) < MIN_VISIBLE) return undefined;
      const score = Math.max(0, Math.min(1, next?.score ?? seen?.score ?? 0));
      return { box: clipBox(box, frame.width, frame.height), score, confirmed: next !== undefined };
    },
    dispose: () => template?.dispose(),
  };
}
