import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const SHARED = process.env.FACEBLUR_SHARED || join(ROOT, '..', 'shared');
export const MODEL_DIR = process.env.FACEBLUR_MODEL_DIR || join(SHARED, 'models');
export const IMAGES = join(SHARED, 'data', 'images');
export const WIDER = join(SHARED, 'data', 'wider-val');
export const CLI = join(ROOT, 'bin', 'faceblur.js');

export const tempDir = (prefix = 'faceblur-test-'): string => mkdtempSync(join(tmpdir(), prefix));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with the shared model cache. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  codec_tag_string?: string;
  width?: number;
  height?: number;
  nb_read_frames?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

export function ffprobe(path: string): { streams: ProbeStream[]; format: { duration: string; tags?: Record<string, string> } } {
  // Decoder complaints about damaged (fuzzed) streams stay out of the test log; a failure still throws with them.
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_format', '-show_streams', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

export function frameTimes(path: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], {
    encoding: 'utf8',
  });
  // Frames may carry side data, which ffprobe prints as extra CSV fields after the time.
  return out.split('\n').filter(Boolean).map((l) => Number(l.split(',')[0]));
}

/** Decodes frame `index` of a video (or a photo) to RGB24. */
export function rgbFrame(path: string, width: number, height: number, index = 0): Uint8Array {
  const buf = execFileSync('ffmpeg', [
    '-nostdin', '-loglevel', 'error', '-i', path,
    '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, 'pipe:1',
  ], { maxBuffer: 256 * 1024 * 1024 });
  return new Uint8Array(buf);
}

export const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** PSNR in dB of two RGB24 images over the pixels where `inside(x, y)` holds. */
export function psnr(a: Uint8Array, b: Uint8Array, width: number, inside: (x: number, y: number) => boolean): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 3) {
    const p = i / 3;
    if (!inside(p % width, Math.floor(p / width))) continue;
    for (let c = 0; c < 3; c++) se += (a[i + c]! - b[i + c]!) ** 2;
    n += 3;
  }
  return n === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

/** A GET with full control of the Host header, which fetch does not allow; resolves to the status code. */
export function statusOf(url: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host ? { host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
