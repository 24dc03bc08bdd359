/** A stream's frame rate as its frames' own timestamps show it. */
export interface MeasuredRate {
  /** Frames per second: frames in the sample over the time they span. */
  fps: number;
  /** True when some frame is more than RATE_TOLERANCE off the even grid from the first frame to the last. */
  variable: boolean;
}

/**
 * Seconds a frame may sit off the even grid and still count as constant-rate: Matroska rounds
 * timestamps to 1 ms, so a 29.97 fps frame lands up to 0.5 ms off; a real variable-rate stream
 * (a phone's 33/67/100 ms gaps, a dropped frame) is off by a whole frame interval.
 */
export const RATE_TOLERANCE = 0.002;

/**
 * Seconds of the stream that are read: the packets' timestamps only, with no decoding, so the
 * cost is the same for a one-minute file and a ten-hour one, and memory is a few thousand numbers.
 */
export const RATE_SAMPLE_SECONDS = 30;

/**
 * The rate that presentation timestamps (seconds, any order, repeats ignored) follow; undefined for
 * fewer than 3 frames. probe() gives it the video packets' timestamps of the first
 * RATE_SAMPLE_SECONDS, never the rates the container declares (Matroska declares a variable-rate
 * phone clip as constant); without timestamps (raw elementary streams) it falls back to those.
 */
export function rateFromTimes(times: readonly number[]): MeasuredRate | undefined {
  const t = [...new Set(times.filter(Number.isFinite))].sort((a, b) => a - b);
  if (t.length < 3) return undefined;
  const period = (t[t.length - 1]! - t[0]!) / (t.length - 1);
  if (!(period > 0)) return undefined;
  const variable = t.some((x, k) => Math.abs(x - (t[0]! + k * period)) > RATE_TOLERANCE);
  return { fps: 1 / period, variable };
}
