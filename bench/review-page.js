// Responsiveness of the `faceblur review` page with 200 tracks (and 100 candidates) on a 10-minute
// video: a synthetic 640x360 30 fps clip and a synthetic project (faces drifting with jitter, like
// bench/project.js). Measures in headless chromium: the project's JSON size, time to the first frame,
// seek-by-key latency (key press → frame shown), the longest main-thread task while stepping,
// scrolling the track list and the timeline, and edits: time to show them and the bytes of their answer. Usage: npm run build && node bench/review-page.js
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BoxesBuilder } from '../dist/project/boxes.js';
import { writeProject } from '../dist/project/file.js';
import { contentHash } from '../dist/project/identity.js';
import { seededRandom } from './lib/random.js';

const FPS = 30;
const FRAMES = 600 * FPS;
const [W, H] = [640, 360];
const work = join(import.meta.dirname, 'work', 'review');
mkdirSync(work, { recursive: true });
const clip = join(work, 'ten-minutes.mp4');
if (!existsSync(clip)) {
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}:duration=600`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
}

// Deterministic, so every run measures the same file.
const rand = seededRandom(15);
function face(start, length, score) {
  const b = new BoxesBuilder();
  const size = 20 + rand() * 60;
  let [x, y] = [rand() * (W - size), rand() * (H - size * 1.2)];
  const [vx, vy] = [(rand() - 0.5) * 0.5, (rand() - 0.5) * 0.2];
  for (let f = start; f < Math.min(FRAMES, start + length); f++) {
    x = Math.min(W - size, Math.max(0, x + vx));
    y = Math.min(H - size * 1.2, Math.max(0, y + vy));
    const j = () => (rand() - 0.5) * 2;
    b.push(f, { x1: x + j(), y1: y + j(), x2: x + size + j(), y2: y + size * 1.2 + j() }, score, rand() < 0.05 ? 'held' : 'detected');
  }
  return b.build();
}
const tracks = Array.from({ length: 200 }, (_, id) => ({ id, origin: 'auto', action: 'redact', boxes: face(Math.floor(rand() * FRAMES * 0.9), Math.floor(FPS * (5 + rand() * 85)), 0.8) }));
const candidates = Array.from({ length: 100 }, (_, i) => ({ id: 200 + i, bestScore: 0.1 + rand() * 0.4, boxes: face(Math.floor(rand() * FRAMES * 0.95), Math.floor(FPS * (1 + rand() * 5)), 0.2) }));
const { hash, bytes } = await contentHash(clip);
const projectPath = join(work, 'ten-minutes.faceblur.json');
await writeProject(projectPath, {
  format: 'faceblur-project', version: 1, faceblur: 'bench',
  input: { path: 'ten-minutes.mp4', bytes, hash, kind: 'video', width: W, height: H, rotation: 0, duration: FRAMES / FPS, frameCount: FRAMES, timestamps: Float64Array.from({ length: FRAMES }, (_, i) => i / FPS) },
  settings: { threshold: 0.5, candidateFloor: 0.1, detector: ['yunet'], passes: 'default', detectEvery: 1, tracking: { hold: 0.5, lookahead: 0.5, smooth: 3 } },
  tracks, candidates,
});

const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'faceblur.js'), 'review', clip, '--project', projectPath, '--no-open'], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
child.stderr.on('data', (d) => (err += d));
while (!/Review: (\S+)/.test(err)) await new Promise((r) => setTimeout(r, 50));
const url = /Review: (\S+)/.exec(err)[1];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForSelector('.clock[data-frame="0"]', { timeout: 120_000 });
  const firstFrame = performance.now() - t0;
  const json = await page.evaluate(async () => (await (await fetch(`api/project${location.search}`)).text()).length);
  await page.evaluate(() => (window.__long = []));
  const steps = [];
  const seeks = [];
  await page.locator('canvas.stage').click({ position: { x: 2, y: 2 } });
  let frame = 0;
  for (let i = 0; i < 20; i++) {
    frame += i % 2 ? 1 : 30;
    const s = performance.now();
    await page.keyboard.press(i % 2 ? 'ArrowRight' : 'Shift+ArrowRight');
    await page.waitForSelector(`.clock[data-frame="${frame}"]`);
    steps.push(performance.now() - s);
  }
  const lanes = await page.locator('canvas.lanes').boundingBox();
  for (let i = 0; i < 10; i++) {
    const x = Math.floor(rand() * lanes.width);
    const want = Math.round((x / lanes.width) * (FRAMES - 1));
    const s = performance.now();
    await page.mouse.click(lanes.x + x, lanes.y + 5);
    await page.waitForSelector(`.clock[data-frame="${want}"]`, { timeout: 60_000 });
    seeks.push(performance.now() - s);
  }
  const stepLong = await page.evaluate(() => Math.max(0, ...window.__long));
  await page.evaluate(() => (window.__long = []));
  const scrollStart = performance.now();
  for (let i = 0; i < 40; i++) {
    await page.mouse.move(1300, 400);
    await page.mouse.wheel(0, 400);
    await page.mouse.move(700, 850);
    await page.mouse.wheel(0, 60);
  }
  const scroll = performance.now() - scrollStart;
  const scrollLong = await page.evaluate(() => Math.max(0, ...window.__long));
  const rows = await page.locator('.row').count();
  // Edits: keep / redact a track (its boxes unchanged), accept a suggestion (a new box table), undo.
  // Each is timed from the key press to the panel showing it; the bytes are the edit's answer.
  const answers = [];
  const answerMs = [];
  page.on('response', async (r) => {
    if (/api\/(action|undo)/.test(r.url())) answers.push((await r.body()).length);
  });
  page.on('requestfinished', (r) => {
    if (/api\/(action|undo)/.test(r.url())) answerMs.push(Math.round(r.timing().responseEnd));
  });
  await page.locator('.tracklist').evaluate((e) => (e.scrollTop = 0));
  const edits = [];
  const row = page.locator('.row.redact').first();
  const id = await row.getAttribute('data-id');
  await row.click();
  await page.evaluate(() => (window.__long = []));
  for (let i = 0; i < 10; i++) {
    const s = performance.now();
    await page.keyboard.press(i % 2 ? 'r' : 'k');
    await page.waitForSelector(`.row.${i % 2 ? 'redact' : 'keep'}[data-id="${id}"]`);
    edits.push(performance.now() - s);
  }
  await page.locator('.tracklist').evaluate((e) => (e.scrollTop = e.scrollHeight));
  const cand = page.locator('.row.candidate').first();
  const candId = await cand.getAttribute('data-id');
  let s = performance.now();
  await cand.locator('button[data-op="accept"]').click();
  await page.waitForFunction(() => document.querySelector('.count').textContent.startsWith('Tracks (201)'));
  const acceptMs = performance.now() - s;
  s = performance.now();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => document.querySelector('.count').textContent.startsWith('Tracks (200)'));
  const undoMs = performance.now() - s;
  const editLong = await page.evaluate(() => Math.max(0, ...window.__long));
  const editBytes = answers.slice(0, 10);
  const med = (a) => Math.round([...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]);
  console.log(JSON.stringify({ stepMedianMs: med(steps), stepMaxMs: Math.round(Math.max(...steps)), timelineSeekMedianMs: med(seeks), timelineSeekMaxMs: Math.round(Math.max(...seeks)), tracks: 200, candidates: 100, frames: FRAMES, projectJsonMB: +(json / 1e6).toFixed(2), firstFrameMs: Math.round(firstFrame), longestTaskWhileSteppingMs: Math.round(stepLong), scroll80WheelsMs: Math.round(scroll), longestTaskWhileScrollingMs: Math.round(scrollLong), rowsInDom: rows,
    keepRedactMedianMs: med(edits), keepRedactMaxMs: Math.round(Math.max(...edits)), keepRedactAnswerBytes: med(editBytes),
    acceptMs: Math.round(acceptMs), acceptAnswerBytes: answers[10], acceptRequestMs: answerMs[10], keepRedactRequestMs: answerMs.slice(0, 10), undoMs: Math.round(undoMs), undoAnswerBytes: answers[11], longestTaskWhileEditingMs: Math.round(editLong) }));
} finally {
  await browser.close();
  child.kill('SIGINT');
}
