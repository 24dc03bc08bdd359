import { dirname, relative, resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { iou } from '../detect/box.js';
import type { FrameKind } from '../detect/detector.js';
import { UserError } from '../errors.js';
import { isImagePath } from '../io/media-kind.js';
import { damageNotice, decodeVideo } from '../media/decode.js';
import { roomForJpegs } from '../media/jpeg-frames.js';
import type { Frame } from '../media/frame.js';
import { ProjectBuilder, type BuildRegion } from '../project/build.js';
import { contentHash } from '../project/identity.js';
import { serializeProject, type Project, type ProjectSettings } from '../project/schema.js';
import { throwIfInterrupted, type RunContext } from './context.js';
import { readPhoto } from './image.js';
import { detectedRegions, type Region } from './regions.js';
import type { Job } from './batch.js';
import { checkedFrames, openVideo, trackerFor } from './video.js';

/** What an analysis needs beyond a run's context: the detector runs at the candidate floor, and these thresholds split its detections. */
export interface AnalyzeParams {
  threshold: Record<FrameKind, number>;
  settings: Omit<ProjectSettings, 'threshold'>;
  /** faceblur's version, recorded in the project. */
  version: string;
}

const tracked = (regions: Region[]): BuildRegion[] =>
  regions.map((r) => {
    if (r.trackId === undefined || r.kind === undefined) throw new Error('analysis needs tracked regions');
    return { score: r.score, box: r.box, trackId: r.trackId, kind: r.kind };
  });

/**
 * The frames, each released once the consumer has taken it and asked for the next, when it is not one
 * the detector reads (see detectedRegions: it starts a frame's detection before it asks for the next).
 */
async function* pixelsFreed(frames: AsyncIterable<Frame>, detectEvery: number, release: (f: Frame) => void): AsyncGenerator<Frame> {
  for await (const f of frames) {
    yield f;
    if (f.index % detectEvery !== 0) release(f);
  }
}

/** Decode → detect → track, into a project; nothing is encoded and no frame is kept after its detection. */
async function analyzeVideo(ctx: RunContext, input: string, p: AnalyzeParams): Promise<{ builder: ProjectBuilder; identity: Omit<Project['input'], 'frameCount' | 'timestamps' | 'path' | 'bytes' | 'hash'> }> {
  // analyze offers no --no-tracking: a project is made of tracks.
  const tracking = ctx.tracking ?? { holdSeconds: 0, lookaheadSeconds: 0, smoothFrames: 0 };
  const { info, v, lookahead } = await openVideo({ ...ctx, tracking }, input);
  // The review's seek proxy costs this decode a scale and a JPEG encode per frame, not a second decode
  // (docs/speed.md). Without room for it, none is written: the review then decodes its own.
  const proxy = ctx.seekProxy !== undefined && (await roomForJpegs(ctx.seekProxy, v.frameCount, v.width, v.height)) ? ctx.seekProxy : undefined;
  if (ctx.seekProxy !== undefined && !proxy) ctx.log.verbose(`${input}: no room for the seek proxy in ${dirname(ctx.seekProxy)}; the review decodes its frames itself`);
  const decoder = decodeVideo(ctx.tools(), input, ctx.children, { startTime: info.startTime }, 'yuv420p', proxy);
  const trackers = () => trackerFor(tracking, v.fps, ctx.detectEvery, lookahead, v);
  // A project needs only each frame's index and time: its pixels go back to the decoder as soon as
  // the detector has read them (or at once, on a frame not detected), instead of waiting out the
  // look-ahead window as an anonymized frame must. The decoder then reuses a few buffers instead of
  // allocating a new one per frame (3 MB at 1080p) for the garbage collector.
  const motion = ctx.processors.motion;
  const processors = { ...ctx.processors, motion: { ...motion, detect: (f: Frame) => motion.detect(f).finally(() => decoder.release(f)) } };
  const stream = detectedRegions({ ...ctx, processors }, pixelsFreed(checkedFrames(decoder.frames, v), ctx.detectEvery, decoder.release), {
    tracker: trackers(),
    lookahead,
    candidates: { tracker: trackers(), threshold: p.threshold.motion, largeFace: p.settings.largeFace },
  });
  const builder = new ProjectBuilder(v.width, v.height);
  const progress = ctx.progress(input, v.frameCount);
  let last = 0;
  let completed = false;
  try {
    for await (const { frame, regions, candidates } of stream) {
      builder.add(frame.index, frame.time, tracked(regions), candidates);
      last = frame.time;
      progress.update(builder.frameCount);
    }
    throwIfInterrupted(ctx.signal);
    completed = true;
  } finally {
    progress.finish(completed);
    decoder.process.kill();
    await decoder.process.exited.catch(() => undefined);
  }
  if (builder.frameCount === 0) throw new UserError('no video frames could be decoded');
  const damage = damageNotice(decoder, builder.frameCount, v.frameCount, 'project');
  if (damage) ctx.log.warn(`${input}: ${damage}`);
  const duration = v.duration ?? last + 1 / v.fps;
  return { builder, identity: { kind: 'video', width: v.width, height: v.height, rotation: v.rotation, duration } };
}

/** A photo: one frame, each detection above the threshold its own track, the others candidates. */
async function analyzePhoto(ctx: RunContext, input: string, p: AnalyzeParams): ReturnType<typeof analyzeVideo> {
  const { frame, info } = await readPhoto(input);
  const found = await ctx.processors.still.detect(frame);
  const high = found.filter((d) => d.score >= p.threshold.still);
  const low = found.filter((d) => d.score < p.threshold.still && !high.some((h) => iou(h.box, d.box) >= 0.3));
  const builder = new ProjectBuilder(info.width, info.height);
  const region = (kind: 'detected') => (d: (typeof found)[number], i: number): BuildRegion => ({ score: d.score, box: d.box, trackId: i, kind });
  builder.add(0, 0, high.map(region('detected')), low.map(region('detected')));
  return { builder, identity: { kind: 'image', width: info.width, height: info.height, rotation: 0, duration: 0 } };
}

/**
 * The analyze job: writes `input`'s project to `temp` (renamed to `output` by the batch).
 * The input's path is stored relative to the project's folder, so that both can move together.
 */
export function analyzeJob(p: AnalyzeParams): Job {
  return async (ctx, input, temp, output) => {
    const { builder, identity } = await (isImagePath(input) ? analyzePhoto : analyzeVideo)(ctx, input, p);
    const { hash, bytes } = await contentHash(input);
    const path = relative(dirname(resolve(output)), resolve(input));
    const photo = identity.kind === 'image';
    // A photo is detected once, by the photo plan: no tracking, and no large-face rule (a video's),
    // which a trial's photo project recorded as if they had been applied.
    const { largeFace: _, ...stillSettings } = p.settings;
    const settings = photo ? { ...stillSettings, tracking: null } : p.settings;
    const project = builder.finish(p.version, { path, bytes, hash, ...identity }, { threshold: p.threshold[photo ? 'still' : 'motion'], ...settings });
    await writeFile(temp, serializeProject(project));
    return { frames: builder.frameCount, project: { tracks: project.tracks.length, candidates: project.candidates.length } };
  };
}
