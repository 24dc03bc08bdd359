import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startCli, survivors, type GuardedRun } from '../faults/guard.js';
import { ROOT, tempDir } from '../helpers.js';
import { projectFor } from './fixture.js';
export { statusOf } from '../helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Browser tests are skipped without a Chromium (install it: apt-get install chromium). */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Screenshots go here, one folder per test, for a person to look at. */
export const SHOTS = join(ROOT, 'test-output', 'review');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Starts `faceblur review` and waits for the address it prints on stderr. */
export async function startReview(args: string[]): Promise<{ run: GuardedRun; url: URL }> {
  const run = startCli(['review', ...args, '--no-open'], { timeoutMs: 280_000 });
  const end = Date.now() + 30_000;
  for (;;) {
    const m = /Review: (http:\/\/\S+)/.exec(run.stderr());
    if (m) return { run, url: new URL(m[1]!) };
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`no review address: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function stopRun(run: GuardedRun): void {
  run.child.kill('SIGKILL');
  for (const pid of survivors(run.tag)) process.kill(pid, 'SIGKILL');
}


/** A screenshot recorder for one test: `shot('accepted')` writes NN-accepted.png. */
export function screenshots(page: Page, name: string): (step: string) => Promise<void> {
  const dir = join(SHOTS, name);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (step) => {
    await page.screenshot({ path: join(dir, `${String(++n).padStart(2, '0')}-${step}.png`) });
  };
}

/** Every frame of a video as RGB24, decoded as the pipeline counts frames (passthrough timing). */
export function rgbFrames(path: string, width: number, height: number): Uint8Array[] {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 30,
  });
  const size = width * height * 3;
  return Array.from({ length: buf.length / size }, (_, i) => new Uint8Array(buf.buffer, buf.byteOffset + i * size, size));
}

/**
 * Encodes a clip whose every frame shows its own index as 8 blocks (white = 1, most significant bit
 * first) on a grey ground, with a keyframe every 12 frames so that seeking must decode from one.
 */
export function numberedClip(path: string, frames: number, width = 320, height = 240): Promise<void> {
  const ff = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-r', '25', '-i', 'pipe:0',
    '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', '-crf', '12', path], { stdio: ['pipe', 'ignore', 'inherit'] });
  for (let n = 0; n < frames; n++) {
    const img = Buffer.alloc(width * height, 128);
    for (let bit = 0; bit < 8; bit++) {
      const on = (n >> (7 - bit)) & 1;
      for (let y = 200; y < 224; y++) img.fill(on ? 255 : 0, y * width + 8 + bit * 38, y * width + 8 + bit * 38 + 24);
    }
    ff.stdin.write(img);
  }
  ff.stdin.end();
  return new Promise((resolve, reject) => ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}`)))));
}

/** Reads the number numberedClip drew, from RGBA pixels of an image `width` wide. */
export function readNumber(rgba: Uint8ClampedArray | number[], width: number): number {
  let n = 0;
  for (let bit = 0; bit < 8; bit++) {
    const i = (212 * width + 8 + bit * 38 + 12) * 4;
    n = (n << 1) | (rgba[i]! > 128 ? 1 : 0);
  }
  return n;
}

/**
 * One Chromium for a describe block, launched before its tests and closed after them, with the
 * review runs its tests started (`started`), ended then too.
 */
export function browserForSuite(): { browser: () => Browser; started: (run: GuardedRun) => void } {
  let browser: Browser | undefined;
  const runs: GuardedRun[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    runs.forEach(stopRun);
    await browser?.close();
  });
  return { browser: () => browser!, started: (run) => void runs.push(run) };
}

/**
 * Writes a numbered clip (or `o.clip`'s video, or for a project of kind 'image' a JPEG of the clip's
 * first frame) and a project of `project`'s tracks into a fresh folder, starts `faceblur review` on
 * it (with `o.args(dir)` after the input) and opens the editor in a 1280x800 page, its screenshots
 * under `name`.
 */
export async function openEditor(
  suite: ReturnType<typeof browserForSuite>,
  name: string,
  project: Parameters<typeof projectFor>[2],
  o: { args?: (dir: string) => string[]; clip?: (path: string) => void } = {},
): Promise<{ page: Page; shot: (step: string) => Promise<void>; dir: string; input: string; run: GuardedRun }> {
  const dir = tempDir(`faceblur-review-${name}-`);
  const clip = join(dir, 'numbers.mp4');
  if (o.clip) o.clip(clip);
  else await numberedClip(clip, Math.max(2, project.frames), project.width, project.height);
  let input = clip;
  if (project.kind === 'image') {
    input = join(dir, 'photo.jpg');
    execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', clip, '-frames:v', '1', input]);
  }
  await projectFor(input, input.replace(/\.\w+$/, '.faceblur.json'), project);
  const started = await startReview([input, ...(o.args?.(dir) ?? [])]);
  suite.started(started.run);
  const page = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
  const shot = screenshots(page, name);
  await page.goto(started.url.href);
  return { page, shot, dir, input, run: started.run };
}

/** A track or candidate as GET api/project gives it (src/review/wire.ts TrackView). */
export interface TrackJson {
  id: number;
  action: string;
  origin: string;
  boxes: { frame: number[]; x1: number[]; y1: number[]; x2: number[]; y2: number[]; kind: number[] };
}

/** The project as the page would fetch it. */
export const projectOf = (page: Page): Promise<{ tracks: TrackJson[] }> => page.evaluate(async () => (await fetch(`api/project${location.search}`)).json());

/** Page coordinates of a point in frame pixels on the stage canvas (scaled with object-fit: contain, so perhaps letterboxed). */
export async function stagePoint(page: Page, width: number, height: number): Promise<(x: number, y: number) => { x: number; y: number }> {
  const r = (await page.locator('canvas.stage').boundingBox())!;
  const s = Math.min(r.width / width, r.height / height);
  return (x, y) => ({ x: r.x + (r.width - width * s) / 2 + x * s, y: r.y + (r.height - height * s) / 2 + y * s });
}

/** Drags the mouse on the stage from frame pixel (x1, y1) to (x2, y2); `at` is stagePoint's. */
export async function dragOn(page: Page, at: (x: number, y: number) => { x: number; y: number }, x1: number, y1: number, x2: number, y2: number): Promise<void> {
  await page.mouse.move(at(x1, y1).x, at(x1, y1).y);
  await page.mouse.down();
  await page.mouse.move(at(x2, y2).x, at(x2, y2).y, { steps: 4 });
  await page.mouse.up();
}
