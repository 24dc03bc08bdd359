import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildSet, passthroughArgs, runFfmpeg, type FfmpegTools } from '../media/ffmpeg.js';

/** JPEG end-of-image marker: inside entropy-coded data an 0xFF byte is always followed by 0x00 or a restart marker (ITU T.81, B.1.1.5). */
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * A seek proxy: the whole video decoded once, in the background, into one JPEG per frame, at most
 * `width` pixels wide, appended to a temp file with an index of where each frame starts. A frame
 * that the proxy has reached is then one file read (no decoding), whatever the video's keyframe
 * interval. Frames are counted as the pipeline counts them (passthrough timing: every decoded
 * frame once, in order), so frame N is the project's frame N. The temp folder goes on close().
 */
export class SeekProxy {
  private readonly dir = mkdtempSync(join(tmpdir(), 'faceblur-review-'));
  private readonly children = new ChildSet();
  private file: FileHandle | undefined;
  private offsets: number[] = [];
  private lengths: number[] = [];
  /** Set when the proxy could not be made; frames then come from seeking only. */
  failed: string | undefined;

  constructor(
    private readonly tools: FfmpegTools,
    private readonly input: string,
    private readonly width: number,
  ) {}

  /** Frames ready so far (frames 0..ready-1). */
  get ready(): number {
    return this.offsets.length;
  }

  /** Decodes the whole video into the proxy; resolves when done (or failed: see `failed`). */
  async build(): Promise<void> {
    try {
      this.file = await open(join(this.dir, 'frames.mjpeg'), 'w+');
      const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', this.input, '-map', '0:v:0', '-an', '-sn', '-dn',
        ...passthroughArgs(this.tools),
        // Never upscaled; an even height, as yuvj420p wants.
        '-vf', `scale='min(${this.width},iw)':-2`,
        '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1'];
      const proc = runFfmpeg(this.tools.ffmpeg, args, { stdin: false, stdout: true }, this.children, 'making the seek proxy');
      let pending: Buffer = Buffer.alloc(0);
      let written = 0;
      for await (const chunk of proc.stdout! as AsyncIterable<Buffer>) {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let from = 0;
        for (let end = pending.indexOf(EOI, 0); end >= 0; end = pending.indexOf(EOI, from)) {
          const jpeg = pending.subarray(from, end + 2);
          await this.file.write(jpeg, 0, jpeg.length, written);
          this.offsets.push(written);
          this.lengths.push(jpeg.length);
          written += jpeg.length;
          from = end + 2;
        }
        pending = pending.subarray(from);
      }
      await proc.exited;
    } catch (err) {
      this.failed = (err as Error).message;
    }
  }

  /** Frame `n` as JPEG bytes, or undefined while the proxy has not reached it. */
  async jpeg(n: number): Promise<Buffer | undefined> {
    if (n >= this.ready || !this.file) return undefined;
    const buf = Buffer.alloc(this.lengths[n]!);
    await this.file.read(buf, 0, buf.length, this.offsets[n]!);
    return buf;
  }

  async close(): Promise<void> {
    this.children.killAll();
    await this.file?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
