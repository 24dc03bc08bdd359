// `npm run bench:candidates`: ways to rank or widen `faceblur analyze`'s photo candidates, measured
// on the WIDER photos as bench:accuracy's candidate row measures them (a missed face is a valid face
// the redacted tracks cover < 80%; a candidate finds it when its default mask brings it to >= 80%, its
// box no more than 4 times the face's area). Each variant is cut at the score that shows 3 (and 5)
// candidates per photo on average, over all photos, and over the even and odd halves.
// Detections are cached in the work folder: the photo plan at the candidate floor, and each extra
// source (RetinaFace at 1x and 2x, YuNet-n at 2x) with its time per photo. Writes
// bench/results/candidates.json and prints a markdown table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskFromDetection, rasterize } from '../dist/anonymize/mask.js';
import { iou } from '../dist/detect/box.js';
import { CANDIDATE_FLOOR, fuseDetections } from '../dist/detect/fusion.js';
import { createMultiPassDetector } from '../dist/detect/multi-pass.js';
import { nms } from '../dist/detect/nms.js';
import { readPhoto } from '../dist/pipeline/image.js';
import { loadWider, SHARED } from './lib/wider.js';

const slice = Number(process.env.BENCH_SLICE ?? 1);
const work = join(process.env.BENCH_WORK ?? join(import.meta.dirname, 'work'), `candidates-${slice}`);
const models = process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models');
const THRESHOLD = 0.65; // the photo default (src/pipeline/setup.ts MODE.still)
const S = 'yunet_s_dynamic.onnx';
const N = 'yunet_n_dynamic.onnx';
const R = 'retinaface_mnet025_dynamic.onnx';
// The default photo plan (src/pipeline/setup.ts planPasses: YuNet-s at 1, 1/2, 1/3 and YuNet-n at 1, 3/4, 1/2, noisy-or, upscaled to 1024).
const SOURCES = {
  default: [['yunet', S, 1], ['yunet', S, 0.5], ['yunet', S, 1 / 3], ['yunet', N, 1], ['yunet', N, 0.75], ['yunet', N, 0.5]],
  'retinaface 1x': [['retinaface', R, 1]],
  'retinaface 2x': [['retinaface', R, 2]],
  'yunet-n 2x': [['yunet', N, 2]],
};
const images = loadWider((_, i) => i % slice === 0);
mkdirSync(work, { recursive: true });

/** Detections (score >= the candidate floor) of one source on every photo, cached, with its median ms per photo. */
async function detections(name) {
  const cache = join(work, `${name.replace(/\W+/g, '-')}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8'));
  const passes = SOURCES[name].map(([family, file, factor]) => ({ family, modelPath: join(models, file), factor }));
  const plan = { passes, threshold: CANDIDATE_FLOOR, rule: 'noisy-or', upscaleTo: 1024 };
  const det = await createMultiPassDetector({ plans: { still: plan, motion: plan }, size: {}, provider: 'cpu', threads: 1, notice: () => {} });
  const found = [];
  const ms = [];
  for (const im of images) {
    const { frame } = await readPhoto(im.path);
    const t = performance.now();
    found.push((await det.detect(frame, 'still')).map(({ score, box }) => ({ score, box })));
    ms.push(performance.now() - t);
  }
  await det.dispose();
  const out = { found, msPerPhoto: ms.sort((a, b) => a - b)[ms.length >> 1] };
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

const spans = (box, w, h) => rasterize(maskFromDetection({ box, score: 1 }, 'ellipse', 1.3, 10), w, h);
const centreIn = (b, o) => { const cx = (b.x1 + b.x2) / 2, cy = (b.y1 + b.y2) / 2; return cx >= o.x1 && cx < o.x2 && cy >= o.y1 && cy < o.y2; };
/** Covered by a redacted face: as analyze splits a photo's detections (src/pipeline/analyze.ts, src/project/build.ts). */
const covered = (high, d) => high.some((h) => iou(h.box, d.box) >= 0.3 || centreIn(d.box, h.box));

const base = await detections('default');
const photos = images.map((im, k) => {
  const { width: w, height: h } = im;
  const high = base.found[k].filter((d) => d.score >= THRESHOLD);
  const low = base.found[k].filter((d) => d.score < THRESHOLD && !covered(high, d));
  const map = new Uint8Array(w * h);
  for (const d of high) { const s = spans(d.box, w, h); for (let i = 0; i < s.x0.length; i++) map.fill(1, (s.y0 + i) * w + s.x0[i], (s.y0 + i) * w + s.x1[i]); }
  const faces = im.faces.map((f) => ({ ...f, x1: Math.max(0, f.x), y1: Math.max(0, f.y), x2: Math.min(w, f.x + f.w), y2: Math.min(h, f.y + f.h) }));
  /** Share of face f covered by the redacted masks, or by them and the mask spans `rows` (row → [x0, x1)). */
  const cover = (f, rows) => {
    let c = 0;
    for (let y = f.y1; y < f.y2; y++) { const r = rows?.get(y); for (let x = f.x1; x < f.x2; x++) c += map[y * w + x] || (r && x >= r[0] && x < r[1]) ? 1 : 0; }
    return c / Math.max(1, (f.x2 - f.x1) * (f.y2 - f.y1));
  };
  const missed = faces.flatMap((f, i) => (!f.invalid && f.hard && cover(f) < 0.8 ? [i] : []));
  /** The missed faces a candidate box finds. */
  const finds = (box) => {
    const s = spans(box, w, h);
    const rows = new Map(Array.from(s.x0, (x0, i) => [s.y0 + i, [x0, s.x1[i]]]));
    const area = (box.x2 - box.x1) * (box.y2 - box.y1);
    return missed.filter((i) => area <= 4 * faces[i].w * faces[i].h && box.x2 >= faces[i].x1 && box.x1 <= faces[i].x2 && box.y2 >= faces[i].y1 && box.y1 <= faces[i].y2 && cover(faces[i], rows) >= 0.8);
  };
  return { k, high, low, missed, finds };
});

const HALVES = { all: () => true, even: (p) => p.k % 2 === 0, odd: (p) => p.k % 2 === 1 };
/** Share of the missed faces found when each photo shows its candidates scoring above the cut that gives `perPhoto` on average. */
function measure(lists, perPhoto) {
  const out = {};
  for (const [half, pick] of Object.entries(HALVES)) {
    const ps = photos.filter(pick);
    const scores = ps.flatMap((p) => lists[p.k].map((c) => c.score)).sort((a, b) => b - a);
    const cut = scores[Math.round(perPhoto * ps.length)] ?? -1;
    const shown = ps.map((p) => lists[p.k].filter((c) => c.score > cut));
    const found = ps.reduce((s, p, i) => s + new Set(shown[i].flatMap((c) => p.finds(c.box))).size, 0);
    const missed = ps.reduce((s, p) => s + p.missed.length, 0);
    out[half] = { perPhoto: Number((shown.reduce((s, l) => s + l.length, 0) / ps.length).toFixed(2)), found, missed, share: Number((found / missed).toFixed(3)) };
  }
  return out;
}

const variants = { 'score (today)': photos.map((p) => p.low), 'score, NMS 0.3 among candidates': photos.map((p) => nms(p.low, 0.3)) };
const cost = {};
for (const name of Object.keys(SOURCES).filter((n) => n !== 'default')) {
  const extra = await detections(name);
  cost[name] = extra.msPerPhoto;
  // Agreement: a candidate's score noisy-or'ed with the source's best overlapping detection (IoU >= 0.3).
  variants[`score with ${name} agreeing`] = photos.map((p) =>
    p.low.map((c) => ({ ...c, score: 1 - (1 - c.score) * (1 - Math.max(0, ...extra.found[p.k].filter((d) => iou(d.box, c.box) >= 0.3).map((d) => d.score))) })),
  );
  // Second source: its detections that no redacted face covers join the candidates, fused as the photo plan fuses passes.
  variants[`+ ${name} as a source`] = photos.map((p) => fuseDetections([p.low, extra.found[p.k].filter((d) => !covered(p.high, d))], 0.4, 'noisy-or'));
}
const results = Object.fromEntries(Object.entries(variants).map(([name, lists]) => [name, { at3: measure(lists, 3), at5: measure(lists, 5) }]));
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'candidates.json'), `${JSON.stringify({ date: new Date().toISOString(), photos: photos.length, msPerPhoto: { default: base.msPerPhoto, ...cost }, results }, null, 2)}\n`);
const cell = (m) => `${(100 * m.all.share).toFixed(1)}% (${m.all.found}/${m.all.missed}); even ${(100 * m.even.share).toFixed(0)}%, odd ${(100 * m.odd.share).toFixed(0)}%`;
console.log(`${photos.length} photos; median ms per photo: default plan ${base.msPerPhoto.toFixed(0)}, ${Object.entries(cost).map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}\n`);
console.log('| candidates ranked by | missed faces found at 3 per photo | at 5 per photo |\n|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${cell(r.at3)} | ${cell(r.at5)} |`);
