import { iou, type Detection } from '../detect/box.js';
import { facesAmong, type LargeFaceRule } from '../detect/large-face.js';
import type { Frame } from '../media/frame.js';
import { projectRegionsAt } from '../project/regions.js';
import type { BoxKind, Project } from '../project/schema.js';
import { CameraMotion, type Shift } from '../track/camera-motion.js';
import type { Tracker, TrackedRegion } from '../track/tracker.js';
import { throwIfInterrupted, type RunContext } from './context.js';

/**
 * The one seam that decides where a frame's regions come from: the live detector and tracker, or a
 * project. Everything downstream (masks, filters, encoding, the report, the preview) is the same.
 */

/** A region to anonymize, with its track and box kind when a tracker or a project gave it. */
export type Region = Detection & { trackId?: number; kind?: BoxKind };

export interface FrameRegions {
  frame: Frame;
  regions: Region[];
  /** Tracked detections below the threshold (analyze only): the raw material of candidates. */
  candidates: TrackedRegion[];
}

/**
 * Frames detected at once: while the detector thread works on one frame, the main thread tracks,
 * anonymizes and encodes the ones before it.
 */
const IN_FLIGHT = 2;

/** A detection this much inside a face detected on the same frame is that face again, not a candidate. */
const SAME_FACE_IOU = 0.3;

export interface LiveTracking {
  tracker: Tracker | undefined;
  /** Frames held back so that a face is covered before its first detection. */
  lookahead: number;
  /** Analyze: detections below `threshold` feed a second tracker, whose tracks become candidates. */
  candidates?: { tracker: Tracker; threshold: number; largeFace?: LargeFaceRule | undefined } | undefined;
}

/**
 * Detect (on the worker thread, IN_FLIGHT frames ahead) → track, yielding each frame once the
 * look-ahead window has passed it. Pull-driven: a slow consumer holds the decoder back.
 */
export async function* detectedRegions(ctx: RunContext, frames: AsyncIterable<Frame>, live: LiveTracking): AsyncGenerator<FrameRegions> {
  const { tracker, lookahead, candidates } = live;
  // Without tracking, frames between detections (--detect-every) reuse the last detections.
  let lastDetections: Detection[] = [];
  const detecting: { frame: Frame; detections: Promise<Detection[]> | undefined; shift: Shift | undefined }[] = [];
  // The trackers carry faces with the camera between detections; measured in frame order, as frames arrive.
  const camera = tracker || candidates ? new CameraMotion() : undefined;
  const waiting: { frame: Frame; detections: Detection[] }[] = [];
  const oldest = (): FrameRegions => {
    const { frame, detections } = waiting.shift()!;
    return {
      frame,
      regions: tracker ? tracker.regionsAt(frame.index) : detections,
      candidates: candidates ? candidates.tracker.regionsAt(frame.index) : [],
    };
  };
  async function* finishDetection(): AsyncGenerator<FrameRegions> {
    const { frame, detections, shift } = detecting.shift()!;
    let found = detections ? await detections : undefined;
    if (found && candidates) {
      // Analyze detects down to the candidate floor and splits at the run's own threshold here.
      const high = facesAmong(found, frame, candidates.threshold, candidates.largeFace);
      const low = found.filter((d) => !high.includes(d) && !high.some((h) => iou(h.box, d.box) >= SAME_FACE_IOU));
      candidates.tracker.update(frame.index, low, shift);
      found = high;
    } else candidates?.tracker.update(frame.index, undefined, shift);
    tracker?.update(frame.index, found, shift);
    if (found) lastDetections = found;
    waiting.push({ frame, detections: lastDetections });
    while (waiting.length > lookahead) yield oldest();
  }
  for await (const frame of frames) {
    throwIfInterrupted(ctx.signal);
    const shift = camera?.estimate(frame);
    const detections = frame.index % ctx.detectEvery === 0 ? ctx.processors.motion.detect(frame) : undefined;
    // Awaited in order by finishDetection; this only keeps a failure from being reported as unhandled meanwhile.
    detections?.catch(() => undefined);
    detecting.push({ frame, detections, shift });
    if (detecting.length >= IN_FLIGHT) yield* finishDetection();
  }
  while (detecting.length > 0) yield* finishDetection();
  while (waiting.length > 0) yield oldest();
}

/**
 * A project's regions for each frame (see projectRegionsAt), without detecting.
 * @throws Error when the input has more frames than the project, which a matching hash rules out
 * unless the file was decoded differently.
 */
export async function* projectRegions(ctx: RunContext, project: Project, frames: AsyncIterable<Frame>): AsyncGenerator<FrameRegions> {
  const at = projectRegionsAt(project);
  for await (const frame of frames) {
    throwIfInterrupted(ctx.signal);
    if (frame.index >= project.input.frameCount) throw new Error(`the input has more frames than its project (${project.input.frameCount})`);
    yield { frame, regions: at(frame.index), candidates: [] };
  }
}
