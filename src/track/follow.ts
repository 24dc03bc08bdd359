import { boxHeight, boxWidth, clipBox, MIN_BOX, type Box } from '../detect/box.js';
import { usageError, UserError } from '../errors.js';
import { decodeVideo, type DecodeLayout } from '../media/decode.js';
import { ChildSet, findFfmpeg, type FfmpegTools } from '../media/ffmpeg.js';
import type { Frame } from '../media/frame.js';
import { probe } from '../media/probe.js';
import { decodeWindow, windowFrames } from './follow-frames.js';
import { createFollower, faceRelation, type Follower, type FollowMethod } from './follower.js';
import { loadOpenCv } from './opencv.js';
import { openRedetector } from './redetect.js';

export type { FollowMethod } from './follower.js';

/** One frame of a followed region. */
export interface FollowedBox {
  /** Zero-based frame index in decoding order (as the pipeline and redaction projects count). */
  frame: number;
  /** Seconds on the file's clock (its timestamps minus its start time), as Frame.time and a project's frame times. */
  time: number;
  /** Frame pixels, clipped to the frame; x2/y2 exclusive. */
  box: Box;
  /** 0..1: 1 for the keyframe, else the re-detection's score or the template match's correlation. */
  score: number;
  /** The seed frame is the keyframe; every other frame is followed. */
  kind: 'keyframe' | 'followed';
}

/** Where a follow is: the frame index (0-based) it just read or followed, and in which pass. */
export interface FollowAt {
  frame: number;
  pass: 'reading' | 'backward' | 'forward';
}

export interface FollowOptions {
  /**
   * Called as frames are decoded and followed; `done` reaches `total` at the end (both in frames, see
   * docs/how-it-works.md). `at`: the frame just read on the way to the drawn one, or just followed
   * backward or forward from it.
   */
  onProgress?(done: number, total: number, at?: FollowAt): void;
  /** Aborting kills the ffmpeg children at once; trackBox then rejects with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
  /** What confirms the box in each frame (default 'visual', the best in bench:track; see FollowMethod). */
  method?: FollowMethod;
  /** Frames held in memory at once for backward following (default: from the frame size, see windowFrames). */
  windowFrames?: number;
  /** ffmpeg and ffprobe (found as for any run when absent). */
  tools?: FfmpegTools;
  /** YuNet's model file (located and checked as for any run when absent). */
  modelPath?: string;
}

/**
 * Follows the region `box` drawn on frame `frameIndex` of the video `input`, backward and forward,
 * until it is lost (nothing confirmed it for MAX_MISSES frames) or leaves the frame. Returns its
 * boxes in frame order, the seed frame included as the keyframe.
 *
 * Frames are decoded from the start, once: the frames just before the seed are kept (a window of
 * bounded size, windowFrames) and followed in reverse once the seed is reached; earlier windows are
 * decoded again by seeking, one window at a time. Then following goes on forward from the seed
 * through the same decoder, which is stopped as soon as the region is lost.
 *
 * Throws UserError for a frame past the end, a box outside the frame or an input without video.
 */
export async function trackBox(input: string, frameIndex: number, box: Box, opts: FollowOptions = {}): Promise<FollowedBox[]> {
  const { signal } = opts;
  signal?.throwIfAborted();
  if (!Number.isInteger(frameIndex) || frameIndex < 0) throw usageError(`the frame must be a whole number from 0, not ${frameIndex}`);
  const tools = opts.tools ?? findFfmpeg();
  const info = await probe(tools, input);
  const video = info.video;
  if (!video) throw new UserError(`${input} has no video stream to follow a box in`);
  const seedBox = clipBox(box, video.width, video.height);
  if (boxWidth(seedBox) < MIN_BOX || boxHeight(seedBox) < MIN_BOX) {
    throw usageError(`the box ${[box.x1, box.y1, box.x2, box.y2].join(',')} has less than ${MIN_BOX}x${MIN_BOX} pixels inside the ${video.width}x${video.height} frame`);
  }
  const method = opts.method ?? 'visual';
  const children = new ChildSet();
  const kill = () => children.killAll();
  signal?.addEventListener('abort', kill, { once: true });
  const redetector = method === 'visual' ? undefined : await openRedetector(opts.modelPath);
  try {
    const cv = await loadOpenCv();
    signal?.throwIfAborted();
    const total = frameIndex + Math.max(video.frameCount ?? 0, frameIndex + 1);
    let done = 0;
    const progress = (n: number, at?: FollowAt) => {
      done = Math.min(total, done + n);
      opts.onProgress?.(done, total, at);
    };
    // The template match reads luma alone (a third fewer bytes to decode and pipe); re-detection needs colour.
    const layout: DecodeLayout = redetector ? 'yuv420p' : 'gray';
    const decoder = decodeVideo(tools, input, children, { startTime: info.startTime }, layout);
    const frames = decoder.frames[Symbol.asyncIterator]();
    const window = opts.windowFrames ?? windowFrames(video.width, video.height, layout);
    const times: number[] = [];
    const held: Frame[] = [];
    let seed: Frame | undefined;
    for (let r = await frames.next(); !r.done; r = await frames.next()) {
      signal?.throwIfAborted();
      times.push(r.value.time);
      if (r.value.index === frameIndex) {
        seed = r.value;
        break;
      }
      held.push(r.value);
      if (held.length > window) decoder.release(held.shift()!);
      progress(1, { frame: r.value.index, pass: 'reading' });
    }
    if (!seed) throw usageError(`frame ${frameIndex} is past the end: ${input} has ${times.length} frames`);
    const at = (f: Frame, b: Box, score: number, kind: FollowedBox['kind']): FollowedBox => ({ frame: f.index, time: f.time, box: b, score, kind });
    const relation = redetector ? await faceRelation(redetector, seed, seedBox) : undefined;
    const parts = { cv, redetector, relation, method };
    const out: FollowedBox[] = [at(seed, seedBox, 1, 'keyframe')];
    progress(1);

    // Backward: the held frames, then earlier windows decoded again, each followed in reverse.
    const back = createFollower(parts, seed, seedBox);
    try {
      let batch = held;
      for (;;) {
        const lost = await followRun(back, [...batch].reverse(), at, out, (f) => progress(1, { frame: f, pass: 'backward' }), signal);
        const lowest = batch[0]?.index ?? 0;
        if (lost || lowest === 0) {
          progress(lowest);
          break;
        }
        batch = await decodeWindow(tools, input, children, info.startTime, times, Math.max(0, lowest - window), lowest, layout);
      }
    } finally {
      back.dispose();
      held.length = 0;
    }

    // Forward: on from the seed through the first decoder, stopped as soon as the region is lost.
    const fwd = createFollower(parts, seed, seedBox);
    decoder.release(seed);
    try {
      const rest = (async function* () {
        for (let r = await frames.next(); !r.done; r = await frames.next()) yield r.value;
      })();
      await followRun(fwd, rest, at, out, (f) => progress(1, { frame: f, pass: 'forward' }), signal, decoder.release);
    } finally {
      fwd.dispose();
      await frames.return?.(undefined);
    }
    opts.onProgress?.(total, total);
    return out.sort((a, b) => a.frame - b.frame);
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener('abort', kill);
    // Waited for, so that no ffmpeg outlives the call, aborted or not.
    await children.killAllAndWait();
    await redetector?.dispose();
  }
}

/**
 * Steps `follower` through `frames` in the order given, appending the confirmed boxes and those
 * carried between confirmed ones to `out`. Returns true when the region was lost or left the frame.
 */
async function followRun(
  follower: Follower,
  frames: Iterable<Frame> | AsyncIterable<Frame>,
  at: (f: Frame, b: Box, score: number, kind: 'followed') => FollowedBox,
  out: FollowedBox[],
  /** Called with each frame's index once it is followed. */
  progress: (frame: number) => void,
  signal: AbortSignal | undefined,
  release: (f: Frame) => void = () => undefined,
): Promise<boolean> {
  const carried: FollowedBox[] = [];
  for await (const frame of frames) {
    signal?.throwIfAborted();
    const step = await follower.step(frame);
    release(frame);
    progress(frame.index);
    if (!step) return true;
    carried.push(at(frame, step.box, step.score, 'followed'));
    // Frames carried by motion alone count only once a later frame confirms the region again.
    if (step.confirmed) out.push(...carried.splice(0));
  }
  return false;
}
