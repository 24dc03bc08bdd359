import type { Detection } from '../detect/box.js';
import { UserError } from '../errors.js';
import type { Frame } from '../media/frame.js';
import { decodeVideo } from '../media/decode.js';
import { startEncoder } from '../media/encode.js';
import { probe } from '../media/probe.js';
import type { ReportFile, ReportWriter } from '../report.js';
import { throwIfInterrupted, type RunContext } from './context.js';

export interface JobResult {
  frames: number;
}

/**
 * Frames detected at once: while the detector works on one frame (on onnxruntime's threads), the
 * main thread anonymizes and encodes the one before it. Two bounds memory at two decoded frames.
 */
const IN_FLIGHT = 2;

/**
 * Decode → detect → anonymize → encode. Each stage awaits the next, so at most IN_FLIGHT decoded
 * frames are held in JS, and the pipes' backpressure holds ffmpeg back.
 */
export async function anonymizeVideo(
  ctx: RunContext,
  input: string,
  temp: string,
  output: string,
  report: ReportWriter | undefined,
): Promise<JobResult> {
  const tools = ctx.tools();
  const info = await probe(tools, input);
  const v = info.video;
  if (!v) throw new UserError(info.audio.length > 0 ? 'has no video stream (audio only)' : 'has no video stream');
  ctx.log.verbose(
    `${input}: ${v.width}x${v.height} ${v.codec}, ${v.fps.toFixed(3)} fps${v.variableRate ? ' (variable)' : ''}, ` +
      `rotation ${v.rotation}°, ${info.audio.length} audio stream(s)`,
  );
  const decoder = decodeVideo(tools, input, ctx.children);
  const encoder = startEncoder(
    tools,
    ctx.encode,
    { output: temp, width: v.width, height: v.height, rate: v.rate, variableRate: v.variableRate, source: input, audioCodecs: info.audio.map((a) => a.codec) },
    ctx.children,
  );
  const rep: ReportFile | undefined = report?.beginFile({ input, output, kind: 'video', width: v.width, height: v.height });
  const progress = ctx.progress(input, v.frameCount);
  let frames = 0;
  const inFlight: { frame: Frame; detections: Promise<Detection[]> }[] = [];
  const finishOldest = async () => {
    const { frame, detections } = inFlight.shift()!;
    const { masks } = ctx.processFrame.apply(frame, await detections);
    rep?.frame(frame.index, frame.time, masks);
    await encoder.write(frame.packed!, frame.time, () => decoder.release(frame));
    progress.update(++frames);
  };
  try {
    for await (const frame of decoder.frames) {
      throwIfInterrupted(ctx.signal);
      if (frame.width !== v.width || frame.height !== v.height) {
        throw new UserError(`frame size changed mid-stream to ${frame.width}x${frame.height}; not supported`);
      }
      const detections = ctx.processFrame.detect(frame);
      // Awaited in order by finishOldest; this only keeps a failure from being reported as unhandled meanwhile.
      detections.catch(() => undefined);
      inFlight.push({ frame, detections });
      if (inFlight.length >= IN_FLIGHT) await finishOldest();
    }
    while (inFlight.length > 0) await finishOldest();
    throwIfInterrupted(ctx.signal);
    if (frames === 0) throw new UserError('no video frames could be decoded');
    await encoder.finish();
    rep?.end({ status: 'ok', frames });
    return { frames };
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
