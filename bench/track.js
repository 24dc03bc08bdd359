// `npm run bench:track`: following a drawn box (trackBox) on bench:video's moving-camera clips, whose
// ground truth is exact. For every face that counts at the middle frame, the box is seeded from the
// truth there and followed both ways; each frame where the face counts is covered when the followed
// box holds >= 80% of the face's box. Spill: the share of the followed box outside the face's box.
// Speed: frames followed per second of wall time per trackBox call (decoding included, the one-time
// OpenCV load excluded), and the clip's frames per second after set-up (from the first progress
// report), on the clips (640x480) and on a 720p copy of the first clip, interleaving methods, medians.
// CPU time per followed frame (this process with its threads, plus its ffmpeg and ffprobe children,
// set-up included) is steadier than wall time on a shared machine: 1000 / (CPU ms per frame) is the
// frame rate one free core would give. Writes bench/results/track.json and prints markdown tables.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { boxArea, intersectionArea } from '../dist/detect/box.js';
import { trackBox } from '../dist/track/follow.js';
import { loadOpenCv } from '../dist/track/opencv.js';
import { FRAMES } from '../fixtures/moving-camera.js';
import { syntheticClips } from './lib/synthetic-clips.js';
import { childrenReaped, cpuSeconds, median } from './lib/timing.js';
import { SHARED } from './lib/wider.js';

process.env.FACEBLUR_MODEL_DIR ??= join(SHARED, 'models');
const work = join(process.env.BENCH_WORK ?? join(import.meta.dirname, 'work'), 'video-synth');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
const METHODS = (process.env.BENCH_METHODS ?? 'combined|visual|detector').split('|');
const ROUNDS_720P = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = FRAMES >> 1;

const loadStart = performance.now();
await loadOpenCv();
const openCvLoadMs = performance.now() - loadStart;
const clips = await syntheticClips(work, Number(process.env.BENCH_CLIPS ?? 12));

/**
 * One trackBox call: its boxes, its wall time, and the time from its first progress report (set-up
 * done: probe, model session, ffmpeg started) to its end, which is what a longer video scales with.
 */
async function timed(path, box, method) {
  await childrenReaped();
  const c0 = cpuSeconds();
  const t = performance.now();
  let first;
  const boxes = await trackBox(path, SEED, box, { method, onProgress: () => (first ??= performance.now()) });
  const end = performance.now();
  await childrenReaped();
  const c1 = cpuSeconds();
  const cpu = { own: c1.own - c0.own, main: c1.main - c0.main, children: c1.children - c0.children };
  return { boxes, seconds: (end - t) / 1000, followSeconds: (end - first) / 1000, cpu };
}

/**
 * CPU milliseconds per followed frame, over all calls: this process (and its main thread alone) and
 * its children. With two free cores and decoding overlapping following, a frame takes at least the
 * main thread's time (it reads the pipe and matches, one thing at a time) and at least half the total:
 * `bound2Cores` is the frame rate that allows, an upper bound.
 */
const cpuPerFrame = (r) => {
  const own = (1000 * r.cpuOwn) / r.cpuFrames;
  const main = (1000 * r.cpuMain) / r.cpuFrames;
  const children = (1000 * r.cpuChildren) / r.cpuFrames;
  return { own, main, children, bound2Cores: 1000 / Math.max(main, (own + children) / 2) };
};
const addCpu = (r, cpu, frames) => {
  r.cpuMain += cpu.main;
  r.cpuOwn += cpu.own;
  r.cpuChildren += cpu.children;
  r.cpuFrames += frames;
};

/** Scores one followed track against face j's truth: covered frames, spill, before and after the seed. */
function score(boxes, truth, j) {
  const byFrame = new Map(boxes.map((b) => [b.frame, b.box]));
  const s = { frames: 0, covered: 0, before: 0, coveredBefore: 0, spill: [] };
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i][j];
    if (!t.counts) continue;
    const b = byFrame.get(i);
    const ok = b !== undefined && intersectionArea(b, t.box) >= 0.8 * boxArea(t.box);
    s.frames++;
    s.covered += ok;
    if (i < SEED) { s.before++; s.coveredBefore += ok; }
    if (b) s.spill.push(1 - intersectionArea(b, t.box) / Math.max(1, boxArea(b)));
  }
  return s;
}

const results = Object.fromEntries(METHODS.map((m) => [m, { faces: 0, frames: 0, covered: 0, before: 0, coveredBefore: 0, medium: { frames: 0, covered: 0 }, spill: [], fps: [], followFps: [], cpuOwn: 0, cpuMain: 0, cpuChildren: 0, cpuFrames: 0 }]));
for (const clip of clips) {
  const faces = clip.truth[SEED].flatMap((t, j) => (t.counts ? [j] : []));
  for (const j of faces) {
    for (const m of METHODS) {
      const { boxes, seconds, followSeconds, cpu } = await timed(clip.path, clip.truth[SEED][j].box, m);
      const s = score(boxes, clip.truth, j);
      addCpu(results[m], cpu, boxes.length);
      const r = results[m];
      r.faces++;
      r.frames += s.frames;
      r.covered += s.covered;
      r.before += s.before;
      r.coveredBefore += s.coveredBefore;
      if (clip.truth[SEED][j].medium) { r.medium.frames += s.frames; r.medium.covered += s.covered; }
      r.spill.push(...s.spill);
      r.fps.push(boxes.length / seconds);
      r.followFps.push(FRAMES / followSeconds);
    }
  }
}

// 720p: the first clip scaled by 2 and cropped to 1280x720 (the truth maps by x*2, y*2-120).
const hd = join(work, 'clip0-720p.mp4');
execFileSync('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-i', clips[0].path, '-vf', 'scale=1280:960,crop=1280:720:0:120', '-c:v', 'libx264', '-crf', '12', hd]);
const hdTruth = clips[0].truth.map((fr) => fr.map((t) => {
  const b = { x1: t.box.x1 * 2, y1: Math.max(0, t.box.y1 * 2 - 120), x2: t.box.x2 * 2, y2: Math.min(720, t.box.y2 * 2 - 120) };
  return { ...t, box: b, counts: t.counts && b.y2 - b.y1 >= 0.6 * (t.box.y2 - t.box.y1) * 2 };
}));
const hdFaces = hdTruth[SEED].flatMap((t, j) => (t.counts ? [j] : [])).slice(0, Number(process.env.BENCH_FACES_720P ?? Infinity));
const hd720 = Object.fromEntries(METHODS.map((m) => [m, { fps: [], followFps: [], frames: 0, covered: 0, cpuOwn: 0, cpuMain: 0, cpuChildren: 0, cpuFrames: 0 }]));
for (let round = 0; round < ROUNDS_720P; round++) {
  for (const m of METHODS) {
    for (const j of hdFaces) {
      const { boxes, seconds, followSeconds, cpu } = await timed(hd, hdTruth[SEED][j].box, m);
      addCpu(hd720[m], cpu, boxes.length);
      hd720[m].fps.push(boxes.length / seconds);
      hd720[m].followFps.push(FRAMES / followSeconds);
      if (round === 0) { const s = score(boxes, hdTruth, j); hd720[m].frames += s.frames; hd720[m].covered += s.covered; }
    }
  }
}

const summary = Object.fromEntries(METHODS.map((m) => {
  const r = results[m];
  return [m, {
    faces: r.faces,
    faceFrames: r.frames,
    covered: r.covered / r.frames,
    coveredBackward: r.coveredBefore / r.before,
    coveredForward: (r.covered - r.coveredBefore) / (r.frames - r.before),
    coveredMedium: r.medium.covered / r.medium.frames,
    spillMedian: median(r.spill),
    spillMean: r.spill.reduce((a, b) => a + b, 0) / r.spill.length,
    fpsMedian: median(r.fps),
    followFpsMedian: median(r.followFps),
    fps720pMedian: median(hd720[m].fps),
    followFps720pMedian: median(hd720[m].followFps),
    covered720p: hd720[m].covered / hd720[m].frames,
    cpuMsPerFrame: cpuPerFrame(r),
    cpuMsPerFrame720p: cpuPerFrame(hd720[m]),
  }];
}));
const load = os.loadavg()[0];
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'track.json'), JSON.stringify({ date: new Date().toISOString(), clips: clips.length, framesPerClip: FRAMES, seedFrame: SEED, loadAverage: load, faces720p: hdFaces.length, rounds720p: ROUNDS_720P, openCvLoadMs, results: summary }, null, 2) + '\n');
const pct = (x) => `${(x * 100).toFixed(1)}%`;
console.log(`${clips.length} clips, ${FRAMES} frames each, seeded at frame ${SEED}; OpenCV.js load ${openCvLoadMs.toFixed(0)} ms\n`);
console.log('| method | faces | face-frames covered ≥ 80% | backward | forward | medium faces | spill (median / mean) | fps 640x480 (call / after set-up) | fps 720p (call / after set-up) | covered 720p |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [m, r] of Object.entries(summary)) {
  console.log(`| ${m} | ${r.faces} | ${pct(r.covered)} of ${r.faceFrames} | ${pct(r.coveredBackward)} | ${pct(r.coveredForward)} | ${pct(r.coveredMedium)} | ${pct(r.spillMedian)} / ${pct(r.spillMean)} | ${r.fpsMedian.toFixed(0)} / ${r.followFpsMedian.toFixed(0)} | ${r.fps720pMedian.toFixed(0)} / ${r.followFps720pMedian.toFixed(0)} | ${pct(r.covered720p)} |`);
}
const ms = (c) => `${c.own.toFixed(1)} (main ${c.main.toFixed(1)}) + ${c.children.toFixed(1)} = ${(c.own + c.children).toFixed(1)} ms (${(1000 / (c.own + c.children)).toFixed(0)} fps; 2 cores ≤ ${c.bound2Cores.toFixed(0)})`;
console.log(`\nCPU per followed frame, faceblur (its main thread) + ffmpeg/ffprobe, set-up included (fps on one free core; bound on two); load average ${load.toFixed(1)}\n`);
console.log('| method | 640x480 | 720p |\n|---|---|---|');
for (const [m, r] of Object.entries(summary)) console.log(`| ${m} | ${ms(r.cpuMsPerFrame)} | ${ms(r.cpuMsPerFrame720p)} |`);
