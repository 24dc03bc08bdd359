// `node bench/landmarks.js`: the landmark geometry and pass agreement of true and false detections,
// which the 2× lone-box rule tried for issue 13 came from (and which showed that landmark geometry
// cannot tell the large false boxes from faces: see docs/accuracy.md, issue 13). Runs each pass of the video plan (YuNet-s at 1, ½ and 2×,
// threshold 0.3) on the WIDER FACE validation photos scaled to 640 px wide (the size of
// bench:video's frames) and on every other frame of the ASL signer clips (640x480, one face per
// frame); RetinaFace and SCRFD-500M-KPS at 1× on the WIDER photos, to check their landmarks share
// the layout. Per detection: the eye spacing over the box width, the eyes' and the mouth's height
// in the box, its size, score and pass. A WIDER detection is true when it matches a ground-truth
// face at IoU ≥ 0.5, false when it overlaps none (invalid ones too) at IoU ≥ 0.1. In an ASL frame
// the face is the best-scoring detection of the 1× pass; a detection that overlaps it at no IoU ≥ 0.1
// is false (the signer's hands and body). Writes bench/results/landmarks.json (percentiles, and the
// 2× pass's detections by size) and prints them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { iou } from '../dist/detect/box.js';
import { createDetector } from '../dist/detect/detector.js';
import { rgbFrameFromInterleaved } from '../dist/media/frame.js';
import { loadWider, SHARED } from './lib/wider.js';

/**
 * Where a detection's five landmarks (right eye, left eye, nose, right and left mouth corner) lie in
 * its box: eye spacing over the box width, the eyes' and the mouth corners' mean height over its height.
 */
function faceGeometry(d) {
  const w = d.box.x2 - d.box.x1, h = d.box.y2 - d.box.y1;
  if (d.landmarks?.length !== 5 || !(w > 0) || !(h > 0)) return undefined;
  const [re, le, , rm, lm] = d.landmarks;
  return { eyeSpacing: Math.hypot(le.x - re.x, le.y - re.y) / w, eyeHeight: ((re.y + le.y) / 2 - d.box.y1) / h, mouthHeight: ((rm.y + lm.y) / 2 - d.box.y1) / h };
}

const MODELS = join(SHARED, 'models');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
const W = 640;
const cfg = { provider: 'cpu', threads: 2, notice: () => {} };
const open = (family, file, factor) => createDetector({ ...cfg, family, modelPath: join(MODELS, file), threshold: 0.3, size: { factor } });
const yunetPasses = { '1x': await open('yunet', 'yunet_s_dynamic.onnx', 1), '0.5x': await open('yunet', 'yunet_s_dynamic.onnx', 0.5), '2x': await open('yunet', 'yunet_s_dynamic.onnx', 2) };
const others = { retinaface: await open('retinaface', 'retinaface_mnet025_dynamic.onnx', 1), 'scrfd-500m-kps': await open('scrfd', 'scrfd_500m_kps_dynamic.onnx', 1) };

/** One row per detection: its geometry, score, pass and the larger side over the frame's height. */
const rows = [];
const add = (source, pass, d, frameH, label, confirmed) => {
  const g = faceGeometry(d);
  const sidePx = Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
  if (g && label) rows.push({ source, pass, label, confirmed, score: d.score, sidePx, side: sidePx / frameH, ...g });
};
/** Whether another YuNet pass of the same frame reports the detection too (IoU ≥ 0.4, as fusion groups them). */
const confirmedBy = (found, pass, d) => Object.entries(found).some(([p, list]) => p !== pass && list.some((o) => iou(o.box, d.box) >= 0.4));

const stride = Number(process.env.BENCH_STRIDE ?? 1);
for (const im of loadWider().filter((_, i) => i % stride === 0)) {
  const s = W / im.width;
  const { data, info } = await sharp(im.path).rotate().resize(W).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const frame = rgbFrameFromInterleaved(data, info.width, info.height, info.channels);
  const gt = im.faces.map((f) => ({ f, b: { x1: f.x * s, y1: f.y * s, x2: (f.x + f.w) * s, y2: (f.y + f.h) * s } }));
  const label = (d) => {
    const best = Math.max(0, ...gt.map((g) => iou(g.b, d.box)));
    return best >= 0.5 ? 'true' : best < 0.1 ? 'false' : undefined;
  };
  const found = {};
  for (const [pass, det] of Object.entries(yunetPasses)) found[pass] = await det.detect(frame);
  for (const [pass, list] of Object.entries(found)) for (const d of list) add('wider', pass, d, info.height, label(d), confirmedBy(found, pass, d));
  for (const [pass, det] of Object.entries(others)) for (const d of await det.detect(frame)) add('wider', pass, d, info.height, label(d));
}

const aslDir = join(SHARED, 'data', 'videos', 'asl');
for (const file of readdirSync(aslDir).filter((f) => f.endsWith('.mkv')).sort()) {
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', join(aslDir, file), '-vf', 'select=not(mod(n\\,2))', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  const n = 640 * 480 * 3;
  for (let k = 0; k * n < buf.length; k++) {
    const frame = rgbFrameFromInterleaved(buf.subarray(k * n, (k + 1) * n), 640, 480, 3);
    const found = Object.fromEntries(await Promise.all(Object.entries(yunetPasses).map(async ([p, det]) => [p, await det.detect(frame)])));
    const face = [...found['1x']].sort((a, b) => b.score - a.score)[0];
    if (!face) continue;
    for (const [pass, list] of Object.entries(found)) {
      for (const d of list) {
        const o = iou(d.box, face.box);
        add('asl', pass, d, 480, o >= 0.5 ? 'true' : o < 0.1 ? 'false' : undefined, confirmedBy(found, pass, d));
      }
    }
  }
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const Q = [0, 0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.999, 1];
const summary = {};
for (const source of ['wider', 'asl']) {
  for (const pass of ['1x', '0.5x', '2x', 'retinaface', 'scrfd-500m-kps']) {
    for (const label of ['true', 'false']) {
      const sel = rows.filter((r) => r.source === source && r.pass === pass && r.label === label);
      if (!sel.length) continue;
      summary[`${source} ${pass} ${label}`] = {
        n: sel.length,
        ...Object.fromEntries(['eyeSpacing', 'eyeHeight', 'mouthHeight', 'side'].map((k) => [k, Q.map((q) => Number(pct(sel.map((r) => r[k]), q).toFixed(3)))])),
      };
    }
  }
}
// The 2× pass's detections by size (frame pixels): how many are true and false, and how many of each
// no other pass reports (the rule tried for issue 13 and not kept: docs/accuracy.md).
const upscaledPass = {};
for (const source of ['wider', 'asl']) {
  for (const [lo, hi] of [[16, 24], [24, 32], [32, 40], [40, 48], [48, 56], [56, 64], [64, 80], [80, 120], [120, Infinity]]) {
    const sel = rows.filter((r) => r.source === source && r.pass === '2x' && r.sidePx >= lo && r.sidePx < hi);
    const count = (label) => ({ n: sel.filter((r) => r.label === label).length, alone: sel.filter((r) => r.label === label && !r.confirmed).length });
    upscaledPass[`${source} ${lo}-${hi} px`] = { true: count('true'), false: count('false') };
  }
}
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'landmarks.json'), JSON.stringify({ date: new Date().toISOString(), quantiles: Q, summary, upscaledPass }, null, 1) + '\n');
const work = process.env.BENCH_WORK ?? join(import.meta.dirname, 'work');
mkdirSync(work, { recursive: true });
// Every detection, for other cuts of the same data.
writeFileSync(join(work, 'landmarks-rows.json'), JSON.stringify(rows));
console.log('2x pass by side: true (of which no other pass reports them) · false (of which alone)');
for (const [k, v] of Object.entries(upscaledPass)) console.log(`  ${k.padEnd(18)} ${v.true.n} (${v.true.alone}) · ${v.false.n} (${v.false.alone})`);
console.log(`quantiles ${Q.join(' ')}`);
for (const [k, v] of Object.entries(summary)) {
  console.log(`\n${k} (n=${v.n})`);
  for (const f of ['eyeSpacing', 'eyeHeight', 'mouthHeight', 'side']) console.log(`  ${f.padEnd(12)} ${v[f].join(' ')}`);
}
