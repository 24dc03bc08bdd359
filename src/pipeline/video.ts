import { UserError } from '../errors.js';
import { decodeVideo } from '../media/decode.js';
import { startEncoder } from '../media/encode.js';
import { probe } from '../media/probe.js';
import type { ReportFile, ReportWriter } from '../report.js';
import { throwIfInterrupted, type RunContext } from './context.js';

export interface JobResult {
  frames: number;
}

/**
 * Decode → detect → anonymize → encode, one frame at a time. Each stage awaits the next, so at most
 * one decoded frame is in flight in JS, and the pipes' backpressure holds ffmpeg back.
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
  try {
    for await (const frame of decoder.frames) {
      throwIfInterrupted(ctx.signal);
      if (frame.width !== v.width || frame.height !== v.height) {
        throw new UserError(`frame size changed mid-stream to ${frame.width}x${frame.height}; not supported`);
      }
      const { masks } = await ctx.processFrame(frame);
      rep?.frame(frame.index, frame.time, masks);
      await encoder.write(frame.packed!, frame.time);
      progress.update(++frames);
    }
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
