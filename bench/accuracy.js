// `npm run bench:accuracy`: how many faces faceblur really covers, on the WIDER FACE validation
// photos in ../shared/data/wider-val, judged from the output pixels of the real CLI.
// Each photo is first made lossless (PNG), the CLI anonymizes the folder with a solid magenta fill,
// and every pixel that changed counts as anonymized. Writes bench/results/accuracy.json and prints
// a markdown table. BENCH_SLICE=N keeps every Nth photo (the CI test uses a slice).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { median, timeCommand } from './lib/timing.js';
import { loadWider, scoreImage, SHARED, summarize } from './lib/wider.js';

const slice = Number(process.env.BENCH_SLICE ?? 1);
const work = join(process.env.BENCH_WORK ?? join(import.meta.dirname, 'work'), `wider-png-${slice}`);
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };

export const CONFIGS = {
  'single pass (baseline)': ['--single-pass'],
  'default': [],
  '--thorough': ['--thorough'],
  // SCRFD joins --thorough only once installed (with its non-commercial terms accepted); this row
  // installs it into a folder of its own, from FACEBLUR_MODEL_DIR, for the benchmark (research use).
  '--thorough with SCRFD installed': ['--thorough'],
};
const OPT_IN = { '--thorough with SCRFD installed': 'scrfd' };

const images = loadWider((_, i) => i % slice === 0).map((im, i) => ({ ...im, png: join(work, 'in', `${String(i).padStart(4, '0')}.png`), index: i }));
if (!existsSync(join(work, 'in'))) {
  mkdirSync(join(work, 'in'), { recursive: true });
  for (const im of images) await sharp(im.path).png({ compressionLevel: 1 }).toFile(im.png);
}
const megapixels = images.reduce((s, im) => s + (im.width * im.height) / 1e6, 0);

async function changedMap(a, b) {
  const [x, y] = await Promise.all([a, b].map((p) => sharp(p).removeAlpha().raw().toBuffer()));
  const map = new Uint8Array(x.length / 3);
  for (let i = 0, j = 0; i < map.length; i++, j += 3) if (x[j] !== y[j] || x[j + 1] !== y[j + 1] || x[j + 2] !== y[j + 2]) map[i] = 1;
  return map;
}

const only = process.env.BENCH_CONFIGS?.split('|');
const results = {};
for (const [name, args] of Object.entries(CONFIGS)) {
  if (only && !only.includes(name)) continue;
  const out = join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  const report = join(work, 'report.json');
  let runEnv = env;
  if (OPT_IN[name]) {
    runEnv = { ...env, FACEBLUR_INSTALL_DIR: join(work, `installed-${OPT_IN[name]}`) };
    execFileSync(process.execPath, [cli, 'models', 'install', OPT_IN[name], '--accept-license', 'non-commercial'], { env: runEnv, stdio: 'ignore' });
  }
  const run = () => timeCommand(process.execPath, [cli, join(work, 'in'), '-o', out + '/', '--replacewith', 'solid', '--color', 'ff00ff', '--report', report, '--quiet', '--force', ...args], runEnv);
  const seconds = median([run().seconds, ...(process.env.BENCH_RUNS === '1' ? [] : [run().seconds])]);
  const regionsByFile = new Map(JSON.parse(readFileSync(report, 'utf8')).files.map((f) => [f.input.split('/').pop(), f.frames[0].regions]));
  const scored = [];
  for (const im of images) {
    const base = im.png.split('/').pop();
    const regions = regionsByFile.get(base).map((r) => ({ box: r.face, score: r.score }));
    scored.push({ half: im.index % 2, ...scoreImage(im, await changedMap(im.png, join(out, base)), regions) });
  }
  results[name] = {
    args,
    all: summarize(scored),
    halfEven: summarize(scored.filter((s) => s.half === 0)),
    halfOdd: summarize(scored.filter((s) => s.half === 1)),
    secondsPerMegapixel: seconds / megapixels,
  };
}
const base = results['single pass (baseline)']?.secondsPerMegapixel;
const doc = { date: new Date().toISOString(), photos: images.length, megapixels, coverageNeeded: 0.8, results };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, slice === 1 ? 'accuracy.json' : `accuracy-slice${slice}.json`), JSON.stringify(doc, null, 2) + '\n');
const f3 = (v) => v.toFixed(3);
console.log(`${images.length} photos; coverage recall = share of faces with >= 80% of their box anonymized (from output pixels)\n`);
console.log('| settings | easy | medium | hard | detection recall IoU≥0.5 (e/m/h) | spill | s/MP | × single pass |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  const a = r.all;
  console.log(`| ${name} | ${f3(a.easy.coverageRecall)} | ${f3(a.medium.coverageRecall)} | ${f3(a.hard.coverageRecall)} | ${f3(a.easy.detectionRecall)}/${f3(a.medium.detectionRecall)}/${f3(a.hard.detectionRecall)} | ${(a.spill * 100).toFixed(2)}% | ${r.secondsPerMegapixel.toFixed(3)} | ${base ? (r.secondsPerMegapixel / base).toFixed(2) : '–'} |`);
}
console.log('\nBy half (even / odd photo index), coverage recall easy/medium/hard and spill:');
for (const [name, r] of Object.entries(results)) {
  const h = (s) => `${f3(s.easy.coverageRecall)}/${f3(s.medium.coverageRecall)}/${f3(s.hard.coverageRecall)} spill ${(s.spill * 100).toFixed(2)}%`;
  console.log(`- ${name}: even ${h(r.halfEven)}; odd ${h(r.halfOdd)}`);
}
