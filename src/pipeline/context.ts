import type { EncodeSettings } from '../media/encode.js';
import type { ChildSet, FfmpegTools } from '../media/ffmpeg.js';
import type { Progress } from '../ui/progress.js';
import type { Log } from '../ui/log.js';
import type { PreviewFeed } from '../live/preview-feed.js';
import type { FrameProcessor } from './frame-processor.js';
import type { FrameKind } from '../detect/detector.js';
import { InterruptedError } from '../errors.js';
import type { Project } from '../project/schema.js';
import type { SegmentSpec } from './segment.js';

export interface TrackingOptions {
  holdSeconds: number;
  lookaheadSeconds: number;
  smoothFrames: number;
}

/** Everything a file job needs, built once per run by the CLI. */
export interface RunContext {
  /** ffmpeg is looked up on first use, so that a photo-only run works without it. */
  tools(): FfmpegTools;
  /** Photos are detected with the still plan, video frames with the motion plan. */
  processors: Record<FrameKind, FrameProcessor>;
  /** Video tracking, in seconds so that it means the same at any frame rate; undefined with --no-tracking. */
  tracking: TrackingOptions | undefined;
  /** Run the detector on every Nth video frame. */
  detectEvery: number;
  encode: EncodeSettings;
  children: ChildSet;
  signal: AbortSignal;
  log: Log;
  progress(file: string, totalFrames: number | undefined): Progress;
  /** --preview: anonymized frames are offered to the browser preview as they are written. */
  preview: PreviewFeed | undefined;
  /** Render from this project instead of detecting (faceblur INPUT --project FILE). */
  project?: Project | undefined;
  /** Render only these frames of the (one) video, without audio (--render-segment, for `faceblur worker`). */
  segment?: SegmentSpec | undefined;
  /** analyze: the same decode also writes every frame as a JPEG into this file (--seek-proxy, for `faceblur review`). */
  seekProxy?: string | undefined;
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError(String(signal.reason ?? 'signal'));
}
