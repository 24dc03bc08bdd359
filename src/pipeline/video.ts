import { UserError } from '../errors.js';
import { damageNotice, decodeVideo } from '../media/decode.js';
import { startEncoder } from '../media/encode.js';
import { frameByteLength, type Frame } from '../media/frame.js';
import { truncationOf } from '../media/integrity.js';
import { probe, type MediaInfo, type VideoInfo } from '../media/probe.js';
import type { ReportFile, ReportWriter } from '../report.js';
import type { FrameSize } from '../track/plausible.js';
import { Tracker } from '../track/tracker.js';
import { throwIfInterrupted, type RunContext, type TrackingOptions } from './context.js';
import { FaceStats, type FaceSummary, type ProjectCounts } from './face-stats.js';
import { detectedRegions, projectRegions } from './regions.js';
import { planSegment } from './segment.js';

export interface JobResult {
  frames: number;
  /** What was anonymized, and where a reviewer should look first (absent for jobs that anonymize nothing, such as analyze). */
  faces?: FaceSummary;
  /** analyze: what the project it wrote holds. */
  project?: ProjectCounts;
}

/**
 * Bytes the look-ahead window may hold. 0.5 s of 1080p30 is 47 MB; at 8K the same half second would
 * be 750 MB, so large frames get a shorter window instead of an unbounded heap.
 */
const LOOKAHEAD_BYTES = 192 * 1024 * 1024;

/** The tracker for a stream at `fps` of `frame`-sized pictures; live capture passes no look-ahead. */
export function trackerFor(t: TrackingOptions, fps: number, detectEvery: number, lookaheadFrames: number, frame: FrameSize): Tracker {
  return new Tracker({
    frame,
    // With --detect-every N the gap between detections is N frames: a hold shorter than that would drop every track.
    holdFrames: Math.max(Math.round(t.holdSeconds * fps), detectEvery),
    lookaheadFrames,
    smoothFrames: t.smoothFrames,
    growthPerFrame: 0.03,
    maxGrowth: 1.4,
    // Association's reach was set on 30 fps footage; CCTV, body cams and GIFs often run at 10–15 fps.
    motionScale: Math.max(1, 30 / fps),
  });
}

/** A video's probe, checked for what faceblur can process, and the look-ahead its frame size allows. */
export interface OpenedVideo {
  info: MediaInfo;
  v: VideoInfo;
  lookahead: number;
}

/**
 * Probes a video and refuses what cannot be processed (truncated MP4, no video stream).
 * @throws UserError naming the problem.
 */
export async function openVideo(ctx: RunContext, input: string): Promise<OpenedVideo> {
  const truncated = await truncationOf(input);
  if (truncated) throw new UserError(truncated);
  const info = await probe(ctx.tools(), input);
  const v = info.video;
  if (!v) throw new UserError(info.audio.length > 0 ? 'has no video stream (audio only)' : 'has no video stream');
  ctx.log.verbose(
    `${input}: ${v.width}x${v.height} ${v.codec}, ${v.fps.toFixed(3)} fps${v.variableRate ? ' (variable)' : ''}, ` +
      `rotation ${v.rotation}°, ${info.audio.length} audio stream(s)`,
  );
  const lookahead = ctx.tracking
    ? Math.min(Math.round(ctx.tracking.lookaheadSeconds * v.fps), Math.floor(LOOKAHEAD_BYTES / frameByteLength('yuv420p', v.width, v.height)))
    : 0;
  return { info, v, lookahead };
}

/** Frames of the decoder, refusing a size change mid-stream (the frame window and encoder assume one size). */
export async function* checkedFrames(frames: AsyncIterable<Frame>, v: VideoInfo): AsyncGenerator<Frame> {
  for await (const frame of frames) {
    if (frame.width !== v.width || frame.height !== v.height) {
      throw new UserError(`frame size changed mid-stream to ${frame.width}x${frame.height}; not supported`);
    }
    yield frame;
  }
}

/**
 * Decode → regions (detected and tracked, or from ctx.project) → anonymize → encode. Frames wait in a
 * look-ahead window of a fixed number of frames so that a face is covered before its first detection
 * and short gaps are interpolated; memory is bounded by that window plus the frames in detection, and
 * the pipes' backpressure holds ffmpeg back.
 */
export async function anonymizeVideo(
  ctx: RunContext,
  input: string,
  temp: string,
  output: string,
  report: ReportWriter | undefined,
): Promise<JobResult> {
  const tools = ctx.tools();
  const { info, v, lookahead } = await openVideo(ctx, input);
  // Said, not silent (a new-user trial found its subtitles gone): README, "Guarantees".
  if (info.dropped.length > 0 && !ctx.segment) ctx.log.info(`${input}: not kept in the output: ${info.dropped.join(', ')} (they can carry names, places and GPS tracks)`);
  const tracker = ctx.tracking ? trackerFor(ctx.tracking, v.fps, ctx.detectEvery, lookahead, v) : undefined;
  // Without a tracker, a frame between detections (--detect-every) reuses the last detection before it.
  const segment = ctx.segment && (await planSegment(tools, input, ctx.segment, tracker ? tracker.memoryFrames : ctx.detectEvery - 1, lookahead, info.startTime, v.fps));
  const decoder = decodeVideo(tools, input, ctx.children, { startTime: info.startTime, range: segment?.range });
  // A segment is joined with the others and gets the audio once, from the original (src/media/concat.ts).
  const audioCodecs = segment ? [] : info.audio.map((a) => a.codec);
  const encoder = startEncoder(
    tools,
    ctx.encode,
    { output: temp, width: v.width, height: v.height, startTime: info.startTime, frameDuration: 1 / v.fps, source: input, audioCodecs, colour: v.colour },
    ctx.children,
  );
  const rep: ReportFile | undefined = report?.beginFile({ input, output, kind: 'video', width: v.width, height: v.height });
  const progress = ctx.progress(input, ctx.segment ? ctx.segment.count : v.frameCount);
  const frames = checkedFrames(segment ? segment.indexed(decoder.frames) : decoder.frames, v);
  const stream = ctx.project ? projectRegions(ctx, ctx.project, frames) : detectedRegions(ctx, frames, { tracker, lookahead });
  const stats = new FaceStats(ctx.processors.motion.threshold);
  let count = 0;
  let completed = false;
  try {
    for await (const { frame, regions } of stream) {
      if (segment && !segment.owns(frame)) {
        decoder.release(frame);
        continue;
      }
      const masks = ctx.processors.motion.apply(frame, regions);
      stats.frame(frame.time, regions);
      rep?.frame(frame.index, frame.time, masks);
      ctx.preview?.show(frame, masks.length, performance.now());
      await encoder.write(frame.packed!, frame.time, () => decoder.release(frame));
      progress.update(++count);
    }
    throwIfInterrupted(ctx.signal);
    if (count === 0) throw new UserError('no video frames could be decoded');
    if (ctx.segment && count !== ctx.segment.count) throw new Error(`the segment has ${count} frames, expected ${ctx.segment.count}`);
    if (ctx.project && count !== ctx.project.input.frameCount) throw new UserError(`the input has ${count} frames, its project ${ctx.project.input.frameCount}`);
    // A segment's decoder starts at a seek point, where a healthy file can lack a reference frame.
    const damage = segment ? undefined : damageNotice(decoder, count, v.frameCount, 'output');
    if (damage) ctx.log.warn(`${input}: ${damage}`);
    await encoder.finish();
    completed = true;
    rep?.end({ status: 'ok', frames: count });
    return { frames: count, faces: stats.summary() };
  } catch (err) {
    rep?.end({ status: 'failed', error: err instanceof Error ? err.message : String(err), frames: count });
    throw err;
  } finally {
    progress.finish(completed);
    decoder.process.kill();
    encoder.process.kill();
    // Wait for both children to be gone before the caller deletes the temp file they may still hold.
    await Promise.allSettled([decoder.process.exited, encoder.process.exited]);
  }
}
