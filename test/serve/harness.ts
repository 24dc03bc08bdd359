import { openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect } from 'vitest';
import { startCli, survivors, type GuardedRun } from '../faults/guard.js';
import { ffmpeg, IMAGES, rgbFrame } from '../helpers.js';

export interface Serve {
  run: GuardedRun;
  /** `http://127.0.0.1:PORT/` */
  base: string;
  /** The access token from the printed address (a test signed in by name sets its session here). */
  token: string;
  /** fetch with the token as a bearer credential. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

/** Starts `faceblur serve` on a free port and waits for the `Serving:` line on stderr. */
export async function startServe(args: string[]): Promise<Serve> {
  const run = startCli(['serve', '--port', '0', ...args], { timeoutMs: 280_000 });
  const end = Date.now() + 30_000;
  for (;;) {
    const m = /Serving: (http:\/\/\S+)/.exec(run.stderr());
    if (m) {
      const url = new URL(m[1]!);
      const base = `${url.origin}/`;
      const serve: Serve = {
        run,
        base,
        token: url.searchParams.get('token') ?? '',
        api: (path, init = {}) => fetch(new URL(path, base), { ...init, headers: { Authorization: `Bearer ${serve.token}`, ...init.headers } }),
      };
      return serve;
    }
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`serve did not start: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops serve as Ctrl+C would, and checks that it exits 0 leaving no child process. */
export async function stopServe(s: Serve): Promise<void> {
  s.run.child.kill('SIGINT');
  const r = await s.run.done;
  expect(r.code, r.stderr).toBe(0);
  expect(survivors(r.tag)).toEqual([]);
}

/** A multipart body with `settings` (when given) and the files, each read from disk as a stream. */
export async function uploadForm(files: { path: string; name?: string }[], settings?: Record<string, unknown>): Promise<FormData> {
  const form = new FormData();
  if (settings) form.append('settings', JSON.stringify(settings));
  for (const f of files) form.append('file', await openAsBlob(f.path), f.name ?? basename(f.path));
  return form;
}

export interface JobJson {
  id: string;
  name: string;
  status: string;
  progress: number;
  message?: string;
  args: string[];
  outputSize?: number;
}

/** Polls a job until it is done or failed, recording every progress value seen. */
export async function waitForJob(s: Serve, id: string, timeoutMs = 200_000): Promise<{ job: JobJson; progress: number[] }> {
  const seen: number[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await s.api(`/api/jobs/${id}`)).json()) as JobJson;
    if (job.status === 'running') seen.push(job.progress);
    if (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled') return { job, progress: seen };
    if (Date.now() > end) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * A 3 s, 10 fps, 480x320 video of the group photo (six faces in a row), `.mp4`: the faces are in
 * the upper middle band, where the pixel checks look.
 */
export function groupClip(path: string, seconds = 3): void {
  ffmpeg(['-loop', '1', '-i', `${IMAGES}/human_group-1.jpg`, '-t', String(seconds), '-r', '10', '-vf', 'scale=480:320,setsar=1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '18', path]);
}

/**
 * The group clip as a `+faststart` MP4 (index first, so ffprobe still reads it) cut to 60% of its
 * bytes, at `path`: a file cut short in a download or a copy, which the CLI refuses as truncated.
 */
export function cutClip(path: string): void {
  const whole = `${path}.whole.mp4`;
  groupClip(whole, 2);
  const faststart = `${path}.faststart.mp4`;
  ffmpeg(['-i', whole, '-c', 'copy', '-movflags', '+faststart', faststart]);
  const bytes = readFileSync(faststart);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

/** Pixels that are (near) pure magenta, the colour `--replacewith solid --color ff00ff` paints. */
export function magentaPixels(path: string, width: number, height: number, frame = 0): number {
  const rgb = rgbFrame(path, width, height, frame);
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i]! > 230 && rgb[i + 1]! < 30 && rgb[i + 2]! > 230) n++;
  return n;
}
