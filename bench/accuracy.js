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
// Suggestions: `faceblur analyze` on the same photos; faces covered by a redacted track's mask or by a
// candidate's (each drawn as the default mask would draw it, from the project's face boxes), and how
// many of the faces the redacted tracks leave uncovered a candidate would cover.
const CANDIDATES = 'default + candidates (analyze)';
if (!only || only.includes(CANDIDATES)) {
  const projects = join(work, 'projects');
  rmSync(projects, { recursive: true, force: true });
  timeCommand(process.execPath, [cli, 'analyze', join(work, 'in'), '-o', projects + '/', '--quiet', '--force'], env);
  const { readProject } = await import('../dist/project/file.js');
  const { rowsOf } = await import('../dist/project/boxes.js');
  const { maskFromDetection, rasterize } = await import('../dist/anonymize/mask.js');
  const paint = (map, width, height, boxes) => {
    for (const box of boxes) {
      const sp = rasterize(maskFromDetection({ box, score: 1 }, 'ellipse', 1.3, 10), width, height);
      for (let i = 0; i < sp.x0.length; i++) map.fill(1, (sp.y0 + i) * width + sp.x0[i], (sp.y0 + i) * width + sp.x1[i]);
    }
  };
  const boxesOf = (tracks) => tracks.flatMap((t) => rowsOf(t.boxes).map((r) => r.box));
  const area = (b) => (b.x2 - b.x1) * (b.y2 - b.y1);
  const redacted = [];
  const withCandidates = [];
  // Per photo: the valid faces the redacted tracks leave under 80% covered, and each candidate's best
  // score with the missed faces its mask covers (a candidate box over 4 times a face's area, such as
  // one spanning a crowd, is not counted as finding it).
  const photos = [];
  for (const im of images) {
    const p = await readProject(join(projects, im.png.split('/').pop().replace(/\.png$/, '.faceblur.json')));
    const map = new Uint8Array(im.width * im.height);
    paint(map, im.width, im.height, boxesOf(p.tracks));
    const a = scoreImage(im, map.slice(), boxesOf(p.tracks).map((box) => ({ box })));
    const missed = a.faces.flatMap((f, i) => (!f.invalid && f.hard && f.coverage < 0.8 ? [i] : []));
    const candidates = p.candidates.map((c) => {
      const m = map.slice();
      paint(m, im.width, im.height, boxesOf([c]));
      const cover = scoreImage(im, m, []).faces;
      const largest = Math.max(...boxesOf([c]).map(area));
      return { score: c.bestScore, finds: missed.filter((i) => cover[i].coverage >= 0.8 && largest <= 4 * im.faces[i].w * im.faces[i].h) };
    });
    photos.push({ missed: missed.length, candidates });
    paint(map, im.width, im.height, boxesOf(p.candidates));
    const b = scoreImage(im, map, boxesOf([...p.tracks, ...p.candidates]).map((box) => ({ box })));
    redacted.push({ half: im.index % 2, ...a });
    withCandidates.push({ half: im.index % 2, ...b });
  }
  const missedFaces = photos.reduce((s, x) => s + x.missed, 0);
  // Candidates are ranked by best score: how many a reviewer sees per photo, and how many misses they find, at each cut-off.
  const byMinScore = [0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6].map((min) => {
    const shown = photos.map((x) => x.candidates.filter((c) => c.score >= min));
    const found = shown.reduce((s, cs) => s + new Set(cs.flatMap((c) => c.finds)).size, 0);
    return { minScore: min, candidatesPerPhoto: Number((shown.reduce((s, cs) => s + cs.length, 0) / photos.length).toFixed(2)), missedFound: found, share: Number((found / Math.max(1, missedFaces)).toFixed(3)) };
  });
  const half = (list) => ({ all: summarize(list), halfEven: summarize(list.filter((s) => s.half === 0)), halfOdd: summarize(list.filter((s) => s.half === 1)) });
  results['analyze: redacted tracks only'] = { args: ['analyze'], ...half(redacted), secondsPerMegapixel: null };
  results[CANDIDATES] = { args: ['analyze'], ...half(withCandidates), secondsPerMegapixel: null, facesMissedByRedactedTracks: missedFaces, byMinScore };
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
  console.log(`| ${name} | ${f3(a.easy.coverageRecall)} | ${f3(a.medium.coverageRecall)} | ${f3(a.hard.coverageRecall)} | ${f3(a.easy.detectionRecall)}/${f3(a.medium.detectionRecall)}/${f3(a.hard.detectionRecall)} | ${(a.spill * 100).toFixed(2)}% | ${r.secondsPerMegapixel?.toFixed(3) ?? '–'} | ${base && r.secondsPerMegapixel ? (r.secondsPerMegapixel / base).toFixed(2) : '–'} |`);
}
const c = results[CANDIDATES];
if (c) {
  console.log(`\nCandidates for the ${c.facesMissedByRedactedTracks} valid faces the redacted tracks leave under 80% covered, by the lowest best score shown:\n`);
  console.log('| candidates from score | per photo | missed faces they cover |\n|---|---|---|');
  for (const r of c.byMinScore) console.log(`| ${r.minScore} | ${r.candidatesPerPhoto} | ${r.missedFound} (${(100 * r.share).toFixed(1)}%) |`);
}
console.log('\nBy half (even / odd photo index), coverage recall easy/medium/hard and spill:');
for (const [name, r] of Object.entries(results)) {
  const h = (s) => `${f3(s.easy.coverageRecall)}/${f3(s.medium.coverageRecall)}/${f3(s.hard.coverageRecall)} spill ${(s.spill * 100).toFixed(2)}%`;
  console.log(`- ${name}: even ${h(r.halfEven)}; odd ${h(r.halfOdd)}`);
}
