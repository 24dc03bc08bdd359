import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegTools } from '../media/ffmpeg.js';

const run = promisify(execFile);

/**
 * Where ffmpeg's input `-ss` must point to start decoding at frame n of a video. Input `-ss` is
 * exact (ffmpeg decodes from the keyframe before it and drops what precedes) but counts from the
 * file's start time, while project times count from the first frame; and half a frame early, so that
 * rounding in the container's time base cannot skip the frame.
 */
export class SeekTime {
  private origin: Promise<number> | undefined;

  constructor(
    private readonly tools: FfmpegTools,
    private readonly path: string,
    /** Every frame's time in seconds from the first frame. */
    private readonly timestamps: Float64Array,
  ) {
    // Probed at once, so that the first seek does not wait for ffprobe.
    if (timestamps.length > 1) void this.start();
  }

  /** Seconds for `-ss` to land on frame `n` (0-based); 0 for frame 0. */
  async of(n: number): Promise<number> {
    const ts = this.timestamps;
    if (n === 0) return 0;
    const t = ts[n]!;
    const half = n + 1 < ts.length ? (ts[n + 1]! - t) / 2 : (t - ts[n - 1]!) / 2;
    return Math.max(0, (await this.start()) + t - half);
  }

  /** The video stream's first timestamp after the file's start (ffmpeg's -seek_timestamp is off by default). */
  private start(): Promise<number> {
    this.origin ??= run(this.tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'format=start_time:stream=start_time', '-of', 'json', '-i', this.path]).then(
      ({ stdout }) => {
        const j = JSON.parse(stdout) as { streams?: { start_time?: string }[]; format?: { start_time?: string } };
        const v = Number(j.streams?.[0]?.start_time ?? 0);
        const f = Number(j.format?.start_time ?? 0);
        return Number.isFinite(v - f) ? Math.max(0, v - f) : 0;
      },
      () => 0,
    );
    return this.origin;
  }
}
