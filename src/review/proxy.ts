import { rmSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildSet, runFfmpeg, seconds, type FfmpegProcess, type FfmpegTools } from '../media/ffmpeg.js';
import { indexJpegs, jpegFrameArgs, JpegSplitter, type JpegSpan } from '../media/jpeg-frames.js';
import { makeScratch } from './scratch.js';
import type { SeekTime } from './seek-time.js';

/**
 * Frames ahead of the running decode that it is left to reach rather than started anew at: about a
 * second of video, which a decode of a scaled MJPEG copy passes in well under the 300 ms a new
 * ffmpeg with its decode from the keyframe before may take.
 */
const AHEAD = 30;

/**
 * A seek proxy: the video decoded once, in the background, into one JPEG per frame (jpegFrameArgs:
 * at most PROXY_WIDTH pixels wide), appended to a temp file with an index of where each frame is. A
 * frame the proxy holds is one file read, whatever the video's keyframe interval.
 *
 * Given `prebuilt`, a file of every frame written by the analysis's own decoder (`faceblur analyze
 * --seek-proxy`), the proxy takes that file over (moves it into its folder) and holds every frame at
 * once; a file that does not hold exactly `frameCount` JPEGs is dropped, and the proxy decodes as below.
 *
 * Otherwise it decodes in runs: a run starts at a frame (input `-ss`, see SeekTime) and goes on until
 * the video's end or a frame already held. A frame asked for that no run will reach soon starts a
 * new run there, ending the one before: the first seek costs one decode from the keyframe before that
 * frame, and the frames after it come from the same run. Frames are counted as the pipeline counts
 * them (passthrough timing: every decoded frame once, in order), so frame N is the project's frame
 * N. The temp folder goes on close().
 */
export class SeekProxy {
  private readonly dir = makeScratch();
  private readonly children = new ChildSet();
  private file: FileHandle | undefined;
  private readonly opened: Promise<FileHandle>;
  private end = 0;
  private readonly at: (JpegSpan | undefined)[];
  private held = 0;
  private ownDecodes = 0;
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
    private readonly frameCount: number,
    private readonly seek: SeekTime,
    prebuilt?: string,
  ) {
    this.at = new Array(frameCount).fill(undefined);
    this.opened = this.openFile(prebuilt);
  }

  /** Frames held so far. */
  get ready(): number {
    return this.held;
  }

  /** Frames this proxy decoded itself (the others came from the analysis's file). */
  get decoded(): number {
    return this.ownDecodes;
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
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...(ss > 0 ? ['-ss', seconds(ss)] : []), '-i', this.input, ...jpegFrameArgs(this.tools), 'pipe:1'];
    const proc = runFfmpeg(this.tools.ffmpeg, args, { stdin: false, stdout: true }, this.children, 'making the seek proxy');
    run.proc = proc;
    let added = 0;
    const split = new JpegSplitter();
    try {
      for await (const chunk of proc.stdout! as AsyncIterable<Buffer>) {
        for (const jpeg of split.push(chunk)) {
          if (run.superseded) break;
          const n = run.next++;
          if (n >= this.frameCount || this.at[n]) {
            // The rest is held already, or beyond the project's frames.
            run.superseded = true;
            proc.kill();
            break;
          }
          await this.file!.write(jpeg, 0, jpeg.length, this.end);
          this.hold(n, { offset: this.end, length: jpeg.length });
          added++;
        }
        if (run.superseded) break;
      }
      await proc.exited;
    } catch (err) {
      if (!run.superseded && !this.closed) throw err;
    }
    this.ownDecodes += added;
    return added;
  }

  private hold(n: number, span: JpegSpan): void {
    this.at[n] = span;
    this.end = Math.max(this.end, span.offset + span.length);
    this.held++;
    this.wake(n);
  }

  /**
   * The proxy's file: `prebuilt` moved into the proxy's folder and indexed (every frame held) when it
   * holds exactly frameCount JPEGs, else a new empty file.
   */
  private async openFile(prebuilt: string | undefined): Promise<FileHandle> {
    const path = join(this.dir, 'frames.mjpeg');
    if (prebuilt !== undefined) {
      const file = await rename(prebuilt, path).then(() => open(path, 'r+')).catch(() => undefined);
      const spans = file && (await indexJpegs(file).catch(() => undefined));
      if (file && spans?.length === this.frameCount) {
        spans.forEach((span, n) => this.hold(n, span));
        return file;
      }
      await file?.close();
    }
    return open(path, 'w+');
  }

  private wake(n: number): void {
    for (const resolve of this.waiting.get(n) ?? []) resolve();
    this.waiting.delete(n);
  }

  private wakeAll(): void {
    for (const n of [...this.waiting.keys()]) this.wake(n);
  }
}
