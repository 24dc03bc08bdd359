// `npm run bench:ensemble`: how the photo ensemble was chosen. Runs every candidate pass (YuNet-s and
// YuNet-n at several scales) once over the 264 WIDER FACE val photos and caches its raw detections,
// then scores candidate plans from that cache with faceblur's own fusion, masks and coverage rule
// (the same figures `npm run bench:accuracy` gets from the CLI's output pixels, to within a few
// thousandths). Each plan is reported on all photos, on the even half (where the defaults were tuned)
// and on the odd half (the check). Writes bench/results/ensemble.json and prints a markdown table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector, openModelSession } from '../dist/detect/detector.js';
import { fuseDetections } from '../dist/detect/fusion.js';
import { InputBuffers } from '../dist/detect/input-tensor.js';
import { CANDIDATE_FLOOR } from '../dist/detect/fusion.js';
import { maskFromDetection, rasterize } from '../dist/anonymize/mask.js';
import { loadFrame, loadWider, scoreImage, SHARED, summarize } from './lib/wider.js';

const models = process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models');
const work = process.env.BENCH_WORK ?? join(import.meta.dirname, 'work');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
const cachePath = join(work, 'ensemble-detections.json');
/** Pass prefix → model family and file. SCRFD's weights are for non-commercial research only, as this benchmark is. */
const FILES = {
  s: ['yunet', 'yunet_s_dynamic.onnx'],
  n: ['yunet', 'yunet_n_dynamic.onnx'],
  r: ['retinaface', 'retinaface_mnet025_dynamic.onnx'],
  f: ['scrfd', 'scrfd_1g_dynamic.onnx'],
};

const S = (f) => `s@${f}`;
const N = (f) => `n@${f}`;
const R = (f) => `r@${f}`;
const F = (f) => `f@${f}`;
const STILL = [S(1), S(0.5), S(1 / 3), N(1), N(0.75), N(0.5)];
const THOROUGH = [S(1), S(0.75), S(0.5), S(1 / 3), S(2), N(1), N(0.75), N(0.5)];
/** name → passes, fusion rule, threshold, mask margin (mask scale 1.3 throughout, as the CLI's default). */
const PLANS = {
  'one YuNet-s pass (--single-pass)': [[S(1)], 'max', 0.3, 10],
  'YuNet-s full + half (the video plan)': [[S(1), S(0.5)], 'max', 0.3, 10],
  'photo ensemble, 0.6': [STILL, 'noisy-or', 0.6, 10],
  '**photo ensemble, 0.65 (default)**': [STILL, 'noisy-or', 0.65, 10],
  'photo ensemble, 0.7': [STILL, 'noisy-or', 0.7, 10],
  'photo ensemble + YuNet-s ¾, 0.65': [[...STILL, S(0.75)], 'noisy-or', 0.65, 10],
  'photo ensemble without YuNet-n full size, 0.6': [STILL.filter((p) => p !== N(1)), 'noisy-or', 0.6, 10],
  'photo ensemble, best score instead of noisy-or, 0.3': [STILL, 'max', 0.3, 10],
  '**--thorough (0.6, 16 px)**': [THOROUGH, 'noisy-or', 0.6, 16],
  '--thorough, 0.55': [THOROUGH, 'noisy-or', 0.55, 16],
};
// Candidates with the new families (issue 16): RetinaFace (MIT) for the defaults, SCRFD-1G
// (non-commercial) only for an opt-in --thorough. Thresholds in a grid, chosen on the even half.
for (const t of [0.65, 0.7, 0.75, 0.8]) {
  PLANS[`photo ensemble + RetinaFace full, ${t}`] = [[...STILL, R(1)], 'noisy-or', t, 10];
  PLANS[`photo ensemble + RetinaFace ¾, ${t}`] = [[...STILL, R(0.75)], 'noisy-or', t, 10];
  PLANS[`photo ensemble + RetinaFace ½, ${t}`] = [[...STILL, R(0.5)], 'noisy-or', t, 10];
  PLANS[`photo ensemble, RetinaFace full for YuNet-n ½, ${t}`] = [[...STILL.filter((p) => p !== N(0.5)), R(1)], 'noisy-or', t, 10];
}
for (const t of [0.7, 0.75]) {
  PLANS[`photo ensemble + RetinaFace full and ½, ${t}`] = [[...STILL, R(1), R(0.5)], 'noisy-or', t, 10];
  PLANS[`photo ensemble + YuNet-s ¾ + RetinaFace ¾, ${t}`] = [[...STILL, S(0.75), R(0.75)], 'noisy-or', t, 10];
  PLANS[`photo ensemble + RetinaFace full, ¾ and ½, ${t}`] = [[...STILL, R(1), R(0.75), R(0.5)], 'noisy-or', t, 10];
}
for (const [t, m] of [[0.6, 6], [0.65, 6], [0.6, 8], [0.65, 8]]) {
  PLANS[`photo ensemble + RetinaFace ¾, ${t}, ${m} px`] = [[...STILL, R(0.75)], 'noisy-or', t, m];
}
for (const t of [0.6, 0.65, 0.7]) {
  PLANS[`--thorough + RetinaFace full, ${t}`] = [[...THOROUGH, R(1)], 'noisy-or', t, 16];
  PLANS[`--thorough + SCRFD-1G full, ${t}`] = [[...THOROUGH, F(1)], 'noisy-or', t, 16];
  PLANS[`--thorough + RetinaFace + SCRFD-1G full, ${t}`] = [[...THOROUGH, R(1), F(1)], 'noisy-or', t, 16];
}
const only = process.env.BENCH_PLANS ? new RegExp(process.env.BENCH_PLANS) : undefined;
if (only) for (const name of Object.keys(PLANS)) if (!only.test(name)) delete PLANS[name];

const images = loadWider();
const cache = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
const needed = [...new Set(Object.values(PLANS).flatMap(([passes]) => passes))].filter((p) => !cache[p]);
if (needed.length > 0) {
  const sessions = {};
  for (const pass of needed) {
    const [m, f] = pass.split('@');
    const [family, file] = FILES[m];
    sessions[m] ??= { session: await openModelSession({ family, modelPath: join(models, file), threads: 2, notice: () => {} }), buffers: new InputBuffers() };
    const det = await createDetector({ family, modelPath: file, threshold: CANDIDATE_FLOOR, size: { factor: Number(f) }, threads: 2, notice: () => {} }, sessions[m]);
    cache[pass] = {};
    for (const im of images) cache[pass][im.file] = await det.detect(await loadFrame(im.path));
    process.stderr.write(`cached ${pass}\n`);
    mkdirSync(work, { recursive: true });
    writeFileSync(cachePath, JSON.stringify(cache));
  }
  await Promise.all(Object.values(sessions).map((s) => s.session.dispose()));
}

function score([passes, rule, threshold, margin]) {
  const scored = images.map((im, index) => {
    const lists = passes.map((p) => cache[p][im.file]);
    const found = (lists.length === 1 ? lists[0] : fuseDetections(lists, 0.4, rule)).filter((d) => d.score >= threshold);
    const map = new Uint8Array(im.width * im.height);
    for (const d of found) {
      const sp = rasterize(maskFromDetection(d, 'ellipse', 1.3, margin), im.width, im.height, 1);
      for (let i = 0; i < sp.x0.length; i++) if (sp.x1[i] > sp.x0[i]) map.fill(1, (sp.y0 + i) * im.width + sp.x0[i], (sp.y0 + i) * im.width + sp.x1[i]);
    }
    return { half: index % 2, ...scoreImage(im, map, found) };
  });
  return { all: summarize(scored), even: summarize(scored.filter((s) => s.half === 0)), odd: summarize(scored.filter((s) => s.half === 1)) };
}

const results = Object.fromEntries(Object.entries(PLANS).map(([name, plan]) => [name, { passes: plan[0], rule: plan[1], threshold: plan[2], margin: plan[3], ...score(plan) }]));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'ensemble.json'), JSON.stringify({ date: new Date().toISOString(), photos: images.length, results }, null, 2) + '\n');
const cell = (s) => `${s.easy.coverageRecall.toFixed(3)}/${s.medium.coverageRecall.toFixed(3)}/${s.hard.coverageRecall.toFixed(3)} · ${(s.spill * 100).toFixed(2)}%`;
console.log('| plan | all: easy/medium/hard · spill | even half (tuning) | odd half (check) |\n|---|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${cell(r.all)} | ${cell(r.even)} | ${cell(r.odd)} |`);
