// `npm run bench:track`: following a drawn box (trackBox) on bench:video's moving-camera clips, whose
// ground truth is exact. For every face that counts at the middle frame, the box is seeded from the
// truth there and followed both ways; each frame where the face counts is covered when the followed
// box holds >= 80% of the face's box. Spill: the share of the followed box outside the face's box.
// Speed: frames followed per second of wall time per trackBox call (decoding included, the one-time
// OpenCV load excluded), on the clips (640x480) and on a 720p copy of the first clip, interleaving
// methods, medians. Writes bench/results/track.json and prints markdown tables.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxArea, intersectionArea } from '../dist/detect/box.js';
import { trackBox } from '../dist/track/follow.js';
import { loadOpenCv } from '../dist/track/opencv.js';
import { FRAMES, syntheticClips } from './lib/synth.js';
import { median } from './lib/timing.js';
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

async function timed(path, box, method) {
  const t = performance.now();
  const boxes = await trackBox(path, SEED, box, { method });
  return { boxes, seconds: (performance.now() - t) / 1000 };
}

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

const results = Object.fromEntries(METHODS.map((m) => [m, { faces: 0, frames: 0, covered: 0, before: 0, coveredBefore: 0, medium: { frames: 0, covered: 0 }, spill: [], fps: [] }]));
for (const clip of clips) {
  const faces = clip.truth[SEED].flatMap((t, j) => (t.counts ? [j] : []));
  for (const j of faces) {
    for (const m of METHODS) {
      const { boxes, seconds } = await timed(clip.path, clip.truth[SEED][j].box, m);
      const s = score(boxes, clip.truth, j);
      const r = results[m];
      r.faces++;
      r.frames += s.frames;
      r.covered += s.covered;
      r.before += s.before;
      r.coveredBefore += s.coveredBefore;
      if (clip.truth[SEED][j].medium) { r.medium.frames += s.frames; r.medium.covered += s.covered; }
      r.spill.push(...s.spill);
      r.fps.push(boxes.length / seconds);
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
const hdFaces = hdTruth[SEED].flatMap((t, j) => (t.counts ? [j] : []));
const hd720 = Object.fromEntries(METHODS.map((m) => [m, { fps: [], frames: 0, covered: 0 }]));
for (let round = 0; round < ROUNDS_720P; round++) {
  for (const m of METHODS) {
    for (const j of hdFaces) {
      const { boxes, seconds } = await timed(hd, hdTruth[SEED][j].box, m);
      hd720[m].fps.push(boxes.length / seconds);
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
    fps720pMedian: median(hd720[m].fps),
    covered720p: hd720[m].covered / hd720[m].frames,
  }];
}));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'track.json'), JSON.stringify({ date: new Date().toISOString(), clips: clips.length, framesPerClip: FRAMES, seedFrame: SEED, faces720p: hdFaces.length, rounds720p: ROUNDS_720P, openCvLoadMs, results: summary }, null, 2) + '\n');
const pct = (x) => `${(x * 100).toFixed(1)}%`;
console.log(`${clips.length} clips, ${FRAMES} frames each, seeded at frame ${SEED}; OpenCV.js load ${openCvLoadMs.toFixed(0)} ms\n`);
console.log('| method | faces | face-frames covered ≥ 80% | backward | forward | medium faces | spill (median / mean) | fps 640x480 | fps 720p | covered 720p |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [m, r] of Object.entries(summary)) {
  console.log(`| ${m} | ${r.faces} | ${pct(r.covered)} of ${r.faceFrames} | ${pct(r.coveredBackward)} | ${pct(r.coveredForward)} | ${pct(r.coveredMedium)} | ${pct(r.spillMedian)} / ${pct(r.spillMean)} | ${r.fpsMedian.toFixed(0)} | ${r.fps720pMedian.toFixed(0)} | ${pct(r.covered720p)} |`);
}
