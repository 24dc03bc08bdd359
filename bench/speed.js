// `npm run bench:speed` (also `npm run bench`): faceblur against a plain ffmpeg transcode of the
// same clip with the same encoder settings (libx264, CRF 18, preset medium), side by side, at 720p
// and 1080p; a folder of short clips serially and with --jobs 2; and photos in batch (megapixels per
// second per core, model load excluded). Medians of BENCH_RUNS runs. Writes bench/results/speed.json.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { median, timeCommand } from './lib/timing.js';
import { loadWider, SHARED } from './lib/wider.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const work = join(process.env.BENCH_WORK ?? join(import.meta.dirname, 'work'), 'speed');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
mkdirSync(work, { recursive: true });
const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
const ffmpegArgs = (...a) => ['-nostdin', '-y', '-loglevel', 'error', ...a];

// Real footage of people walking past a camera (768x432), scaled up, with the temporal sensor noise
// a real camera file has: without it the upscale is unnaturally easy to encode (3x faster).
function makeClip(name, height, seconds, start = 20) {
  const out = join(work, `${name}.mp4`);
  if (!existsSync(out)) {
    timeCommand('ffmpeg', ffmpegArgs('-ss', String(start), '-i', join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4'), '-t', String(seconds),
      '-vf', `scale=-2:${height},fps=30,noise=alls=3:allf=t`, '-c:v', 'libx264', '-crf', '16', '-preset', 'fast', '-an', out));
  }
  return out;
}

/** Median wall time of a command, with faceblur's own peak RSS (its --verbose line) when it prints one. */
function measure(cmd, args) {
  const times = [];
  let peakMb;
  for (let i = 0; i < RUNS; i++) {
    const r = timeCommand(cmd, args, env);
    times.push(r.seconds);
    const m = /peak memory: (\d+) MB/.exec(r.stderr);
    if (m) peakMb = Math.max(peakMb ?? 0, Number(m[1]));
  }
  return { seconds: median(times), runs: times, ...(peakMb ? { peakRssMb: peakMb } : {}) };
}

const faceblur = (input, output, ...flags) => [process.execPath, [cli, input, '-o', output, '--force', '--quiet', '--verbose', ...flags]];
// BENCH_PARTS=video,batch,photos picks parts; the others keep their figures from the last run.
const PARTS = (process.env.BENCH_PARTS ?? 'video,batch,photos').split(',');
const resultsFile = join(resultsDir, 'speed.json');
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).results : {};
const results = { video: {}, batch: {}, photos: {}, ...previous };

for (const [label, height, scale] of PARTS.includes('video') ? [['720p', 720, '640x'], ['1080p', 1080, '960x']] : []) {
  const clip = makeClip(`walking-${label}`, height, SECONDS);
  const frames = SECONDS * 30;
  const variants = {
    'ffmpeg transcode': ['ffmpeg', ffmpegArgs('-i', clip, '-c:v', 'libx264', '-crf', '18', '-preset', 'medium', '-pix_fmt', 'yuv420p', join(work, 'plain.mp4'))],
    'faceblur (defaults)': faceblur(clip, join(work, 'fb.mp4')),
    'faceblur --detect-every 2': faceblur(clip, join(work, 'fb.mp4'), '--detect-every', '2'),
    [`faceblur --scale ${scale}`]: faceblur(clip, join(work, 'fb.mp4'), '--scale', scale),
    'faceblur --single-pass': faceblur(clip, join(work, 'fb.mp4'), '--single-pass'),
  };
  const rows = {};
  for (const [name, [cmd, args]] of Object.entries(variants)) {
    rows[name] = measure(cmd, args);
    rows[name].fps = frames / rows[name].seconds;
    process.stderr.write(`${label} ${name}: ${rows[name].seconds.toFixed(2)} s\n`);
  }
  for (const r of Object.values(rows)) r.ratio = r.seconds / rows['ffmpeg transcode'].seconds;
  results.video[label] = rows;
}

// A folder of short clips (phone-style 720p, 3 s each), one file at a time and two at a time.
const folder = join(work, 'short-clips');
if (PARTS.includes('batch') && !existsSync(folder)) {
  mkdirSync(folder);
  for (let i = 0; i < 8; i++) copyFileSync(makeClip(`short-${i}`, 720, 3, 10 + 12 * i), join(folder, `clip${i}.mp4`));
}
if (PARTS.includes('batch')) {
  for (const [name, flags] of [['serial', []], ['--jobs 2', ['--jobs', '2']]]) {
    results.batch[name] = measure(process.execPath, [cli, folder, '-o', `${join(work, 'short-out')}/`, '--force', '--quiet', '--verbose', ...flags]);
    process.stderr.write(`batch ${name}: ${results.batch[name].seconds.toFixed(2)} s\n`);
  }
  results.batch['--jobs 2'].ratio = results.batch['--jobs 2'].seconds / results.batch.serial.seconds;
}

// Photos: 60 WIDER photos in one run, minus a one-photo run (start-up and model load), per core.
const photos = loadWider(() => true).slice(0, 60);
const photoDir = join(work, 'photos');
if (PARTS.includes('photos') && !existsSync(photoDir)) {
  mkdirSync(photoDir);
  for (const p of photos) copyFileSync(p.path, join(photoDir, p.file.replace(/\//g, '_')));
}
const names = existsSync(photoDir) ? readdirSync(photoDir).sort() : [];
const megapixels = photos.reduce((s, p) => s + (p.width * p.height) / 1e6, 0);
if (PARTS.includes('photos')) results.photos = {};
for (const [name, flags] of PARTS.includes('photos') ? [['defaults (two at a time)', []], ['--jobs 1', ['--jobs', '1']], ['--single-pass', ['--single-pass']]] : []) {
  rmSync(join(work, 'photo-out'), { recursive: true, force: true });
  const all = measure(process.execPath, [cli, photoDir, '-o', `${join(work, 'photo-out')}/`, '--force', '--quiet', ...flags]);
  const one = measure(process.execPath, [cli, join(photoDir, names[0]), '-o', join(work, 'one.jpg'), '--force', '--quiet', ...flags]);
  const seconds = all.seconds - one.seconds;
  results.photos[name] = { photos: names.length, megapixels, seconds, mpPerSecondPerCore: megapixels / seconds / cpus().length };
}

const out = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model}`, clipSeconds: SECONDS, runs: RUNS, results };
mkdirSync(resultsDir, { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
console.log(`machine: ${out.machine}; clips of ${SECONDS} s at 30 fps; medians of ${RUNS} runs\n`);
console.log('| clip | run | wall s | fps | × transcode | faceblur peak RSS |');
console.log('|---|---|---|---|---|---|');
for (const [label, rows] of Object.entries(results.video)) {
  for (const [name, r] of Object.entries(rows)) {
    console.log(`| ${label} | ${name} | ${r.seconds.toFixed(2)} | ${r.fps.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.peakRssMb ? `${r.peakRssMb} MB` : '–'} |`);
  }
}
console.log(`\n| 8 clips of 3 s, 720p | wall s | × serial |\n|---|---|---|`);
for (const [name, r] of Object.entries(results.batch)) console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${(r.ratio ?? 1).toFixed(2)} |`);
console.log(`\n| ${names.length} WIDER photos (${megapixels.toFixed(1)} MP) | s (model load excluded) | MP/s per core |\n|---|---|---|`);
for (const [name, r] of Object.entries(results.photos)) console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${r.mpPerSecondPerCore.toFixed(2)} |`);
