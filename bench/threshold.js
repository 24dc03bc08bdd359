// Measures what each --thresh costs and buys on WIDER FACE val: coverage recall, detection recall,
// spill and false detections per image, on two halves of the images (even/odd index), so that a
// choice made on one half can be checked on the other. Writes bench/results/threshold.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector } from '../dist/detect/detector.js';
import { findModel } from '../dist/models/manifest.js';
import { locateModel } from '../dist/models/install.js';
import { iou } from '../dist/detect/box.js';
import { anonymizedMap, loadFrame, loadWider, scoreImage, summarize } from './lib/wider.js';

const detectorName = process.argv[2] ?? 'yunet';
const thresholds = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
const settings = { shape: 'ellipse', maskScale: 1.3, mosaicSize: 8 };
const detector = await createDetector({
  family: 'yunet',
  modelPath: await locateModel(findModel(detectorName)),
  threshold: Math.min(...thresholds),
  size: {},
  provider: 'cpu',
  threads: 2,
  notice: console.error,
});
const images = loadWider();
const perThreshold = thresholds.map(() => []);
const falseAlarms = thresholds.map(() => 0);
for (const [i, im] of images.entries()) {
  const frame = await loadFrame(im.path);
  const all = await detector.detect(frame);
  thresholds.forEach((t, k) => {
    const regions = all.filter((d) => d.score >= t);
    const map = anonymizedMap(frame, regions, settings);
    perThreshold[k].push({ half: i % 2, ...scoreImage(im, map, regions) });
    const gt = im.faces.map((f) => ({ x1: f.x, y1: f.y, x2: f.x + f.w, y2: f.y + f.h }));
    falseAlarms[k] += regions.filter((r) => gt.every((g) => iou(r.box, g) < 0.3)).length;
  });
}
const rows = thresholds.map((t, k) => ({
  thresh: t,
  all: summarize(perThreshold[k]),
  half0: summarize(perThreshold[k].filter((x) => x.half === 0)),
  half1: summarize(perThreshold[k].filter((x) => x.half === 1)),
  falseAlarmsPerImage: falseAlarms[k] / images.length,
}));
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', `threshold-${detectorName}.json`), JSON.stringify(rows, null, 2));
const pct = (v) => (v * 100).toFixed(1);
console.log(`| thresh | easy | medium | hard | det. recall (e/m/h) | spill | false alarms / image |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const r of rows) {
  const a = r.all;
  console.log(`| ${r.thresh} | ${a.easy.coverageRecall.toFixed(3)} | ${a.medium.coverageRecall.toFixed(3)} | ${a.hard.coverageRecall.toFixed(3)} | ${a.easy.detectionRecall.toFixed(3)}/${a.medium.detectionRecall.toFixed(3)}/${a.hard.detectionRecall.toFixed(3)} | ${pct(a.spill)}% | ${r.falseAlarmsPerImage.toFixed(2)} |`);
}
await detector.dispose();
