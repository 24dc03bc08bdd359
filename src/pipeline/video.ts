import type { Detection } from '../detect/box.js';
import { UserError } from '../errors.js';
import { decodeVideo } from '../media/decode.js';
import { startEncoder } from '../media/encode.js';
import { frameByteLength, type Frame } from '../media/frame.js';
import { truncationOf } from '../media/integrity.js';
import { probe } from '../media/probe.js';
import type { ReportFile, ReportWriter } from '../report.js';
import { Tracker } from '../track/tracker.js';
import { throwIfInterrupted, type RunContext, type TrackingOptions } from './context.js';
import { FaceStats, type FaceSummary } from './face-stats.js';

export interface JobResult {
  frames: number;
  /** What was anonymized, and where a reviewer should look first. */
  faces: FaceSummary;
}

/**
 * Frames detected at once: while the detector thread works on one frame, the main thread tracks,
 * anonymizes and encodes the ones before it.
 */
const IN_FLIGHT = 2;

/**
 * Bytes the look-ahead window may hold. 0.5 s of 1080p30 is 47 MB; at 8K the same half second would
 * be 750 MB, so large frames get a shorter window instead of an unbounded heap.
 */
const LOOKAHEAD_BYTES = 192 * 1024 * 1024;

/** The tracker for a stream at `fps`; live capture passes no look-ahead. */
export function trackerFor(t: TrackingOptions, fps: number, detectEvery: number, lookaheadFrames: number): Tracker {
  return new Tracker({
    // With --detect-every N the gap between detections is N frames: a hold shorter than that would drop every track.
    holdFrames: Math.max(Math.round(t.holdSeconds * fps), detectEvery),
    lookaheadFrames,
    smoothFrames: t.smoothFrames,
    growthPerFrame: 0.03,
    maxGrowth: 1.4,
  });
}

/**
 * Decode → detect (on a worker thread) → track → anonymize → encode. Frames wait in a look-ahead
 * window of a fixed number of frames so that a face is covered before its first detection and
 * short gaps are interpolated; memory is bounded by that window plus IN_FLIGHT frames, and the
 * pipes' backpressure holds ffmpeg back.
 */
export async function anonymizeVideo(
  ctx: RunContext,
  input: string,
  temp: string,
  output: string,
  report: ReportWriter | undefined,
): Promise<JobResult> {
  const tools = ctx.tools();
  const truncated = await truncationOf(input);
  if (truncated) throw new UserError(truncated);
  const info = await probe(tools, input);
  const v = info.video;
  if (!v) throw new UserError(info.audio.length > 0 ? 'has no video stream (audio only)' : 'has no video stream');
  ctx.log.verbose(
    `${input}: ${v.width}x${v.height} ${v.codec}, ${v.fps.toFixed(3)} fps${v.variableRate ? ' (variable)' : ''}, ` +
      `rotation ${v.rotation}°, ${info.audio.length} audio stream(s)`,
  );
  const lookahead = ctx.tracking
    ? Math.min(Math.round(ctx.tracking.lookaheadSeconds * v.fps), Math.floor(LOOKAHEAD_BYTES / frameByteLength('yuv420p', v.width, v.height)))
    : 0;
  const tracker = ctx.tracking ? trackerFor(ctx.tracking, v.fps, ctx.detectEvery, lookahead) : undefined;
  const decoder = decodeVideo(tools, input, ctx.children);
  const encoder = startEncoder(
    tools,
    ctx.encode,
    { output: temp, width: v.width, height: v.height, rate: v.rate, variableRate: v.variableRate, source: input, audioCodecs: info.audio.map((a) => a.codec), colour: v.colour },
    ctx.children,
  );
  const rep: ReportFile | undefined = report?.beginFile({ input, output, kind: 'video', width: v.width, height: v.height });
  const progress = ctx.progress(input, v.frameCount);
  let frames = 0;
  const stats = new FaceStats(ctx.processors.motion.threshold);
  // Without tracking, frames between detections (--detect-every) reuse the last detections.
  let lastDetections: Detection[] = [];
  const detecting: { frame: Frame; detections: Promise<Detection[]> | undefined }[] = [];
  const waiting: { frame: Frame; detections: Detection[] }[] = [];

  const emitOldest = async () => {
    const { frame, detections } = waiting.shift()!;
    const regions = tracker ? tracker.regionsAt(frame.index) : detections;
    const masks = ctx.processors.motion.apply(frame, regions);
    stats.frame(frame.time, regions);
    rep?.frame(frame.index, frame.time, masks);
    ctx.preview?.show(frame, masks.length, performance.now());
    await encoder.write(frame.packed!, frame.time, () => decoder.release(frame));
    progress.update(++frames);
  };
  const finishDetection = async () => {
    const { frame, detections } = detecting.shift()!;
    const found = detections ? await detections : undefined;
    tracker?.update(frame.index, found);
    if (found) lastDetections = found;
    waiting.push({ frame, detections: lastDetections });
    while (waiting.length > lookahead) await emitOldest();
  };
  try {
    for await (const frame of decoder.frames) {
      throwIfInterrupted(ctx.signal);
      if (frame.width !== v.width || frame.height !== v.height) {
        throw new UserError(`frame size changed mid-stream to ${frame.width}x${frame.height}; not supported`);
      }
      const detections = frame.index % ctx.detectEvery === 0 ? ctx.processors.motion.detect(frame) : undefined;
      // Awaited in order by finishDetection; this only keeps a failure from being reported as unhandled meanwhile.
      detections?.catch(() => undefined);
      detecting.push({ frame, detections });
      if (detecting.length >= IN_FLIGHT) await finishDetection();
    }
    while (detecting.length > 0) await finishDetection();
    while (waiting.length > 0) await emitOldest();
    throwIfInterrupted(ctx.signal);
    if (frames === 0) throw new UserError('no video frames could be decoded');
    await encoder.finish();
    rep?.end({ status: 'ok', frames });
    return { frames, faces: stats.summary() };
  } catch (err) {
    rep?.end({ status: 'failed', error: err instanceof Error ? err.message : String(err), frames });
    throw err;
  } finally {
    progress.finish();
    decoder.process.kill();
    encoder.process.kill();
    // Wait for both children to be gone before the caller deletes the temp file they may still hold.
    await Promise.allSettled([decoder.process.exited, encoder.process.exited]);
  }
}
