// Moving-camera clips made from annotated WIDER FACE photos, with each frame's ground truth computed
// from the same transform that rendered it: pans, zooms, shake, and frames degraded by motion blur,
// darkening or a passing occluder. Deterministic (seeded).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadWider } from './wider.js';

export const OUT_W = 640;
export const OUT_H = 480;
export const FPS = 30;
export const FRAMES = 90;
/** The first STILL frames have no camera motion, for the jitter measure. */
export const STILL = 24;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Crop window (in photo pixels) for frame i of a scenario. */
export function cropAt(scenario, i, w, h, rand) {
  const aspect = OUT_W / OUT_H;
  let cw = Math.min(w, h * aspect) * 0.8;
  let cx = w / 2, cy = h / 2;
  const t = Math.max(0, i - STILL) / (FRAMES - STILL);
  if (scenario === 'pan') cx = w / 2 + (t - 0.5) * (w - cw) * 0.9;
  if (scenario === 'zoom') cw *= 1 - 0.35 * t;
  if (scenario === 'shake' && i >= STILL) { cx += (rand() - 0.5) * 24; cy += (rand() - 0.5) * 24; }
  const ch = cw / aspect;
  return { x: Math.round(Math.min(Math.max(cx - cw / 2, 0), w - cw)), y: Math.round(Math.min(Math.max(cy - ch / 2, 0), h - ch)), w: Math.round(cw), h: Math.round(ch) };
}

/** Which degradation, if any, frame i gets. */
export function degradationAt(i) {
  if (i >= 34 && i < 40) return 'blur';
  if (i >= 52 && i < 58) return 'dark';
  if (i >= 66 && i < 78) return 'occluder';
  return undefined;
}

export async function renderClip(im, scenario, seed, outPath) {
  const rand = rng(seed);
  const ff = spawn('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${OUT_W}x${OUT_H}`, '-r', String(FPS), '-i', 'pipe:0', '-c:v', 'libx264', '-crf', '12', '-pix_fmt', 'yuv420p', outPath], { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise((res, rej) => ff.on('close', (c) => (c === 0 ? res() : rej(new Error(`ffmpeg exit ${c}`)))));
  const truth = [];
  const base = sharp(im.path).rotate();
  for (let i = 0; i < FRAMES; i++) {
    const c = cropAt(scenario, i, im.width, im.height, rand);
    let img = base.clone().extract({ left: c.x, top: c.y, width: c.w, height: c.h }).resize(OUT_W, OUT_H);
    const deg = degradationAt(i);
    if (deg === 'blur') img = img.blur(4);
    if (deg === 'dark') img = img.linear(0.35, 0);
    let raw = await img.removeAlpha().raw().toBuffer();
    // Sensor noise, different in every frame, as in real footage: without it still frames are
    // identical and any detector looks perfectly steady.
    for (let p = 0; p < raw.length; p++) raw[p] = Math.min(255, Math.max(0, raw[p] + Math.round((rand() - 0.5) * 10)));
    if (deg === 'occluder') {
      // A grey bar, a fifth of the width, sweeping left to right across the picture.
      const x0 = Math.round(((i - 66) / 12) * OUT_W) - OUT_W / 10;
      for (let y = 0; y < OUT_H; y++) for (let x = Math.max(0, x0); x < Math.min(OUT_W, x0 + OUT_W / 5); x++) raw.fill(110, (y * OUT_W + x) * 3, (y * OUT_W + x) * 3 + 3);
    }
    const sx = OUT_W / c.w, sy = OUT_H / c.h;
    truth.push(im.faces.map((f) => {
      const box = { x1: (f.x - c.x) * sx, y1: (f.y - c.y) * sy, x2: (f.x + f.w - c.x) * sx, y2: (f.y + f.h - c.y) * sy };
      const vis = { x1: Math.max(0, box.x1), y1: Math.max(0, box.y1), x2: Math.min(OUT_W, box.x2), y2: Math.min(OUT_H, box.y2) };
      const area = (b) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
      const occluded = deg === 'occluder' ? (() => { const x0 = Math.round(((i - 66) / 12) * OUT_W) - OUT_W / 10; return Math.max(0, Math.min(vis.x2, x0 + OUT_W / 5) - Math.max(vis.x1, x0)) / Math.max(1, vis.x2 - vis.x1); })() : 0;
      // A face counts in a frame when most of it is in the picture and not behind the occluder.
      const counts = !f.invalid && area(vis) >= 0.6 * area(box) && occluded < 0.5 && box.x2 - box.x1 >= 8;
      // `box` is the visible part; `full` runs past the picture's edges where the face does.
      return { box: vis, full: box, counts, medium: f.medium };
    }));
    if (!ff.stdin.write(raw)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
  return truth;
}

export const SCENARIOS = ['pan', 'zoom', 'shake'];

/**
 * bench:video's clips: `count` WIDER photos with several medium faces, spread over the events, in a
 * fixed order, each made into a clip (cached in `work` with its truth beside it, `<clip>.json`).
 */
export async function syntheticClips(work, count) {
  mkdirSync(work, { recursive: true });
  const photos = loadWider((im) => im.faces.filter((f) => f.medium && !f.invalid).length >= 3 && im.faces.length <= 40);
  const chosen = Array.from({ length: count }, (_, k) => photos[Math.floor((k * photos.length) / count)]);
  const clips = [];
  for (const [k, im] of chosen.entries()) {
    const scenario = SCENARIOS[k % SCENARIOS.length];
    const path = join(work, `clip${k}-${scenario}.mp4`);
    const truthPath = `${path}.json`;
    let truth = existsSync(truthPath) ? JSON.parse(readFileSync(truthPath, 'utf8')) : undefined;
    // Clips cached before the truth carried whole face boxes are made again (same seed, same frames).
    if (!truth?.[0]?.[0]?.full) writeFileSync(truthPath, JSON.stringify((truth = await renderClip(im, scenario, 1000 + k, path))));
    clips.push({ path, scenario, truth });
  }
  return clips;
}
