import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Detection } from './detect/box.js';
import { errorMessage, STOP_SIGNALS, UserError, usageError } from './errors.js';
import { tempPathFor } from './io/outputs.js';
import { cameraError, captureSource, listCameras } from './live/capture.js';
import { Latest } from './live/latest.js';
import { openPreview } from './live/preview-feed.js';
import { decodeVideo, type Decoder } from './media/decode.js';
import { startEncoder, type Encoder } from './media/encode.js';
import { ChildSet, checkEncoder, findFfmpeg } from './media/ffmpeg.js';
import type { Frame } from './media/frame.js';
import { probe } from './media/probe.js';
import type { CamOptions } from './options.js';
import { checkSharedContradictions, openFrameProcessors } from './pipeline/setup.js';
import { trackerFor } from './pipeline/video.js';
import { CameraMotion } from './track/camera-motion.js';
import type { Tracker } from './track/tracker.js';
import { createLog } from './ui/log.js';

/** Frame rate assumed for cameras that were not asked for one: it only sets the tracker's hold in frames. */
const DEFAULT_CAMERA_FPS = 30;

/**
 * `faceblur cam`: capture → newest frame only → detect → track (no look-ahead) → anonymize →
 * preview (and recording). Frames that arrive while one is processed replace each other, so
 * latency stays at one frame's processing however slow the machine. Ctrl+C and SIGTERM end the
 * session normally: capture stops, the recording is finalized, the server closes; exit 0.
 */
export async function runCam(o: CamOptions): Promise<number> {
  const log = createLog({ quiet: o.quiet, verbose: o.verbose });
  checkSharedContradictions(o);
  const tools = findFfmpeg();
  log.verbose(`ffmpeg: ${tools.ffmpeg} (version ${tools.major}, from ${tools.source})`);
  if (o.output && o.codec) checkEncoder(tools, o.codec);
  if (o.listDevices) {
    const cams = listCameras(tools);
    if (cams.length === 0) throw new UserError('no cameras found');
    for (const c of cams) process.stdout.write(`${c.id}\t${c.name}\n`);
    return 0;
  }
  if (o.output && existsSync(o.output) && !o.force) throw usageError(`${o.output} already exists (use --force to overwrite)`);
  const source = captureSource(o, tools);
  const fps = o.fps ?? (source.camera ? DEFAULT_CAMERA_FPS : ((await probe(tools, source.input).catch(() => undefined))?.video?.fps ?? DEFAULT_CAMERA_FPS));
  const { detector, processors } = await openFrameProcessors(o, log, 'live');
  const processFrame = processors.motion;
  const children = new ChildSet();
  let decoder: Decoder | undefined;
  const slot = new Latest<{ frame: Frame; readAt: number }>((x) => decoder?.release(x.frame));
  // The detector's thread would keep the process alive: it is disposed on every way out, this one too.
  const { server, feed, stats } = await openPreview({ title: source.label, port: o.port, open: o.open, everyFrame: true, dropped: () => slot.dropped }).catch(
    async (err: unknown) => {
      await detector.dispose();
      throw err;
    },
  );
  decoder = decodeVideo(tools, source.input, children, { liveArgs: source.inputArgs });
  const capture = decoder;

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!stopping) log.info(`\nfaceblur cam: ${signal}, stopping`);
    stopping = true;
    capture.process.kill();
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);

  let captureFailure: string | undefined;
  const reading = (async () => {
    try {
      for await (const frame of capture.frames) slot.put({ frame, readAt: performance.now() });
    } catch (err) {
      if (!stopping) captureFailure = cameraError(source, errorMessage(err));
    } finally {
      slot.end();
    }
  })();

  const temp = o.output ? tempPathFor(o.output) : undefined;
  let encoder: Encoder | undefined;
  let frames = 0;
  const started = performance.now();
  try {
    // Made on the first frame, whose size the tracker judges boxes against.
    let tracker: Tracker | undefined;
    const camera = o.tracking ? new CameraMotion() : undefined;
    let last: Detection[] = [];
    for (let item = await slot.take(); item; item = await slot.take()) {
      const { frame, readAt } = item;
      if (o.tracking) tracker ??= trackerFor({ holdSeconds: o.hold, lookaheadSeconds: 0, smoothFrames: o.smooth }, fps, o.detectEvery, 0, frame);
      const found = frames % o.detectEvery === 0 ? await processFrame.detect(frame) : undefined;
      tracker?.update(frame.index, found, camera?.estimate(frame));
      if (found) last = found;
      const regions = tracker ? tracker.regionsAt(frame.index) : last;
      processFrame.apply(frame, regions);
      feed.show(frame, regions.length, readAt);
      frames++;
      if (temp) {
        encoder ??= startEncoder(
          tools,
          { codec: o.codec, crf: o.crf, preset: o.preset, ffmpegArgs: [], audio: false, keepMetadata: false },
          { output: temp, width: frame.width, height: frame.height, startTime: 0, frameDuration: 1 / fps, source: source.input, audioCodecs: [], colour: {} },
          children,
          true,
        );
        await encoder.write(frame.packed!, frame.time, () => capture.release(frame));
      } else capture.release(frame);
    }
    await reading;
    await feed.drain();
    if (captureFailure && frames === 0) throw new UserError(captureFailure);
    if (encoder && temp && o.output) {
      await encoder.finish();
      await rename(temp, o.output);
      process.stdout.write(`${o.output}\n`);
    }
    const latency = stats.overall();
    const secs = (performance.now() - started) / 1000;
    log.info(
      `faceblur cam: ${frames} frames in ${secs.toFixed(1)} s (${(frames / secs).toFixed(1)} fps), ` +
        `latency median ${latency.median} ms, p95 ${latency.p95} ms, ${slot.dropped} dropped`,
    );
    if (captureFailure) log.error(captureFailure);
    return captureFailure ? 1 : 0;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    capture.process.kill();
    encoder?.process.kill();
    children.killAll();
    await Promise.allSettled([capture.process.exited, encoder?.process.exited]);
    if (temp) await rm(temp, { force: true });
    await server.close();
    await detector.dispose();
  }
}
