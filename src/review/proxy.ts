import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildSet, passthroughArgs, runFfmpeg, seconds, type FfmpegProcess, type FfmpegTools } from '../media/ffmpeg.js';
import type { SeekTime } from './seek-time.js';

/** JPEG end-of-image marker: inside entropy-coded data an 0xFF byte is always followed by 0x00 or a restart marker (ITU T.81, B.1.1.5). */
const EOI = Buffer.from([0xff, 0xd9]);
/**
 * Frames ahead of the running decode that it is left to reach rather than started anew at: about a
 * second of video, which a decode of a scaled MJPEG copy passes in well under the 300 ms a new
 * ffmpeg with its decode from the keyframe before may take.
 */
const AHEAD = 30;

/**
 * A seek proxy: the video decoded once, in the background, into one JPEG per frame (at most `width`
 * pixels wide), appended to a temp file with an index of where each frame is. A frame the proxy
 * holds is one file read, whatever the video's keyframe interval. It is decoded in runs: a run starts
 * at a frame (input `-ss`, see SeekTime) and goes on until the video's end or a frame already held.
 * A frame asked for that no run will reach soon starts a new run there, ending the one before: the
 * first seek costs one decode from the keyframe before that frame, and the frames after it come from
 * the same run. Frames are counted as the pipeline counts them (passthrough timing: every decoded
 * frame once, in order), so frame N is the project's frame N. The temp folder goes on close().
 */
export class SeekProxy {
  private readonly dir = mkdtempSync(join(tmpdir(), 'faceblur-review-'));
  private readonly children = new ChildSet();
  private file: FileHandle | undefined;
  private readonly opened = open(join(this.dir, 'frames.mjpeg'), 'w+');
  private end = 0;
  private readonly at: ({ offset: number; length: number } | undefined)[];
  private held = 0;
  private readonly waiting = new Map<number, (() => void)[]>();
  /** Where the next run starts looking for frames not held yet. */
  private focus = 0;
  private current: { next: number; proc?: FfmpegProcess; superseded: boolean } | undefined;
  private closed = false;
  /** Set when the proxy could not be made; frames then come from seeking only. */
  failed: string | undefined;

  constructor(
    private readonly tools: FfmpegTools,
    private readonly input: string,
    private readonly width: number,
    private readonly frameCount: number,
    private readonly seek: SeekTime,
  ) {
    this.at = new Array(frameCount).fill(undefined);
  }

  /** Frames held so far. */
  get ready(): number {
    return this.held;
  }

  has(n: number): boolean {
    return this.at[n] !== undefined;
  }

  /** Decodes the whole video into the proxy, run by run; resolves when done (or failed: see `failed`, or closed). */
  async build(): Promise<void> {
    try {
      this.file = await this.opened;
      while (!this.closed && this.held < this.frameCount) {
        const start = this.missingFrom(this.focus) ?? this.missingFrom(0)!;
        this.focus = start;
        const run = { next: start, superseded: false };
        this.current = run;
        const got = await this.runFrom(run);
        this.current = undefined;
        if (got === 0 && !this.closed && !run.superseded) throw new Error(`the decoder gave no frame from frame ${start}`);
      }
    } catch (err) {
      this.failed = (err as Error).message;
    } finally {
      this.current = undefined;
      this.wakeAll();
    }
  }

  /**
   * Frame `n` as JPEG bytes: at once when held, else once a run has reached it (a new run starts at n
   * when the running one would not reach it soon); undefined when the proxy failed or was closed.
   */
  async jpeg(n: number): Promise<Buffer | undefined> {
    this.file ??= await this.opened.catch(() => undefined);
    if (!this.has(n)) {
      if (this.failed !== undefined || this.closed || !this.file) return undefined;
      this.prioritise(n);
      await new Promise<void>((resolve) => this.waiting.set(n, [...(this.waiting.get(n) ?? []), resolve]));
    }
    const where = this.at[n];
    if (!where || !this.file) return undefined;
    const buf = Buffer.alloc(where.length);
    await this.file.read(buf, 0, buf.length, where.offset);
    return buf;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.children.killAll();
    this.wakeAll();
    await (await this.opened.catch(() => undefined))?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Makes the next run start at n unless the running one is about to reach it. */
  private prioritise(n: number): void {
    const run = this.current;
    if (run && !run.superseded && n >= run.next && n < run.next + AHEAD) return;
    this.focus = n;
    if (run && !run.superseded) {
      run.superseded = true;
      run.proc?.kill();
    }
  }

  private missingFrom(n: number): number | undefined {
    for (let i = n; i < this.frameCount; i++) if (!this.at[i]) return i;
    return undefined;
  }

  /**
   * One run from frame `run.next` (this.current, so that prioritise can end it, even before its
   * decoder starts); resolves with the frames it added when it ends, is superseded, or meets a frame held.
   */
  private async runFrom(run: { next: number; proc?: FfmpegProcess; superseded: boolean }): Promise<number> {
    const ss = await this.seek.of(run.next);
    if (run.superseded || this.closed) return 0;
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...(ss > 0 ? ['-ss', seconds(ss)] : []), '-i', this.input, '-map', '0:v:0', '-an', '-sn', '-dn',
      ...passthroughArgs(this.tools),
      // Never upscaled; an even height, as yuvj420p wants.
      '-vf', `scale='min(${this.width},iw)':-2`,
      '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', 'pipe:1'];
    const proc = runFfmpeg(this.tools.ffmpeg, args, { stdin: false, stdout: true }, this.children, 'making the seek proxy');
    run.proc = proc;
    let added = 0;
    let pending: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of proc.stdout! as AsyncIterable<Buffer>) {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let from = 0;
        for (let eoi = pending.indexOf(EOI, 0); eoi >= 0 && !run.superseded; eoi = pending.indexOf(EOI, from)) {
          const jpeg = pending.subarray(from, eoi + 2);
          from = eoi + 2;
          const n = run.next++;
          if (n >= this.frameCount || this.at[n]) {
            // The rest is held already, or beyond the project's frames.
            run.superseded = true;
            proc.kill();
            break;
          }
          await this.file!.write(jpeg, 0, jpeg.length, this.end);
          this.at[n] = { offset: this.end, length: jpeg.length };
          this.end += jpeg.length;
          this.held++;
          added++;
          this.wake(n);
        }
        pending = pending.subarray(from);
        if (run.superseded) break;
      }
      await proc.exited;
    } catch (err) {
      if (!run.superseded && !this.closed) throw err;
    }
    return added;
  }

  private wake(n: number): void {
    for (const resolve of this.waiting.get(n) ?? []) resolve();
    this.waiting.delete(n);
  }

  private wakeAll(): void {
    for (const n of [...this.waiting.keys()]) this.wake(n);
  }
}
