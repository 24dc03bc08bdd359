// `npm run bench:speed` (also `npm run bench`): faceblur against a plain ffmpeg transcode of the
// same clip with the same encoder settings (libx264, CRF 18, preset medium), side by side, at 720p
// and 1080p; a folder of short clips serially and with --jobs 2; and photos in batch (megapixels per
// second per core, model load excluded). Medians of BENCH_RUNS runs. Every row gives its CPU time
// (user + sys of every process and thread it started) per frame beside its wall ratio: on a shared
// machine the CPU time is the steadier figure. Beside them, the CPU time of a default run split by
// process and thread (BENCH_PARTS=profile). Writes bench/results/speed.json.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cpuCommand, profileThreads } from './lib/cpu.js';
import { median, timeCommand } from './lib/timing.js';
import { loadWider, SHARED } from './lib/wider.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
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

/**
 * Median wall and CPU times of several commands, run in turn (one run of each per round), so that
 * every command sees the same drift of this shared machine's speed; with faceblur's own peak RSS (its
 * --verbose line) when it prints one. Given a `reference`, each row's ratio is the median of its
 * per-round ratios to the reference's run of the same round. A command with a third element, a
 * parser of its stdout, times itself (the inference-only row: its set-up is not what it measures).
 */
function measureInTurn(commands, reference) {
  const rows = Object.fromEntries(Object.keys(commands).map((name) => [name, { runs: [], cpuRuns: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [cmd, args, parse]] of Object.entries(commands)) {
      const r = cpuCommand(cmd, args, env);
      const own = parse ? parse(r.stdout) : r;
      rows[name].runs.push(own.seconds);
      rows[name].cpuRuns.push(own.cpu);
      const m = /peak memory: (\d+) MB/.exec(r.stderr);
      if (m) rows[name].peakRssMb = Math.max(rows[name].peakRssMb ?? 0, Number(m[1]));
    }
  }
  for (const row of Object.values(rows)) {
    row.seconds = median(row.runs);
    row.cpuSeconds = median(row.cpuRuns);
    if (reference) row.ratio = median(row.runs.map((t, i) => t / rows[reference].runs[i]));
  }
  return rows;
}
const measure = (cmd, args) => measureInTurn({ it: [cmd, args] }).it;

const faceblur = (input, output, ...flags) => [process.execPath, [cli, input, '-o', output, '--force', '--quiet', '--verbose', ...flags]];
// The detector of a default run on the same frames, without decoding, tracking, masks or encoding.
const inferenceOnly = (input, frames) => [process.execPath, [join(import.meta.dirname, 'lib', 'inference-only.js'), input, String(frames)], (out) => JSON.parse(out)];
// BENCH_PARTS=video,profile,batch,photos picks parts; the others keep their figures from the last run.
const PARTS = (process.env.BENCH_PARTS ?? 'video,profile,batch,photos').split(',');
const resultsFile = join(resultsDir, 'speed.json');
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).results : {};
const results = { video: {}, profile: {}, batch: {}, photos: {}, ...previous };

for (const [label, height, scale] of PARTS.includes('video') ? [['720p', 720, '640x'], ['1080p', 1080, '960x']] : []) {
  const clip = makeClip(`walking-${label}-${SECONDS}s`, height, SECONDS);
  const frames = SECONDS * 30;
  const variants = {
    'ffmpeg transcode': ['ffmpeg', ffmpegArgs('-i', clip, '-c:v', 'libx264', '-crf', '18', '-preset', 'medium', '-pix_fmt', 'yuv420p', join(work, 'plain.mp4'))],
    'faceblur (defaults)': faceblur(clip, join(work, 'fb.mp4')),
    'faceblur --replacewith none': faceblur(clip, join(work, 'fb.mp4'), '--replacewith', 'none'),
    'inference only (defaults\' detector, no video I/O)': inferenceOnly(clip, frames),
    'faceblur --fast': faceblur(clip, join(work, 'fb.mp4'), '--fast'),
    'faceblur --detect-every 2': faceblur(clip, join(work, 'fb.mp4'), '--detect-every', '2'),
    'faceblur --fast --detect-every 2': faceblur(clip, join(work, 'fb.mp4'), '--fast', '--detect-every', '2'),
    [`faceblur --scale ${scale}`]: faceblur(clip, join(work, 'fb.mp4'), '--scale', scale),
    [`faceblur --scale ${scale} --fast`]: faceblur(clip, join(work, 'fb.mp4'), '--scale', scale, '--fast'),
    'faceblur --single-pass': faceblur(clip, join(work, 'fb.mp4'), '--single-pass'),
  };
  const rows = measureInTurn(variants, 'ffmpeg transcode');
  for (const [name, r] of Object.entries(rows)) {
    r.fps = frames / r.seconds;
    r.cpuMsPerFrame = (1000 * r.cpuSeconds) / frames;
    process.stderr.write(`${label} ${name}: ${r.seconds.toFixed(2)} s, ${r.ratio.toFixed(2)}x, ${r.cpuMsPerFrame.toFixed(1)} CPU-ms/frame\n`);
  }
  results.video[label] = rows;
}

// Where a default run's CPU time goes, by process and thread (see profileThreads), on the clips
// above (one face at a time) and on a classroom (many faces), at 720p and 1080p: medians of RUNS runs.
function manyFaceClip(height) {
  const out = join(work, `classroom-${height}p.mp4`);
  if (!existsSync(out)) {
    timeCommand('ffmpeg', ffmpegArgs('-stream_loop', '3', '-i', join(SHARED, 'data', 'videos', 'classroom.gif'), '-t', String(Math.min(SECONDS, 8)),
      '-vf', `scale=-2:${height},fps=30,noise=alls=3:allf=t`, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '16', '-preset', 'fast', '-an', out));
  }
  return out;
}
if (PARTS.includes('profile')) {
  results.profile = {};
  for (const [label, height] of [['720p', 720], ['1080p', 1080]]) {
    for (const [faces, clip] of [['one face', makeClip(`walking-${label}-${SECONDS}s`, height, SECONDS)], ['many faces', manyFaceClip(height)]]) {
      const frames = Number(timeCommand('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', clip]).stdout.trim());
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await profileThreads([cli, clip, '-o', join(work, 'fb.mp4'), '--force', '--quiet'], env));
      const parts = Object.fromEntries(Object.keys(runs[0].parts).map((k) => [k, (1000 * median(runs.map((r) => r.parts[k] ?? 0))) / frames]));
      results.profile[`${label} ${faces}`] = { frames, cpuMsPerFrame: (1000 * median(runs.map((r) => r.cpu))) / frames, parts };
      process.stderr.write(`profile ${label} ${faces}: ${results.profile[`${label} ${faces}`].cpuMsPerFrame.toFixed(1)} CPU-ms/frame\n`);
    }
  }
}

// The fixed cost of a run (start-up, model load, probing, encoder wind-down): both tools on a 3-frame clip.
if (PARTS.includes('video')) {
  const three = join(work, 'three-frames-720p.mp4');
  if (!existsSync(three)) timeCommand('ffmpeg', ffmpegArgs('-i', makeClip('walking-720p-6s', 720, 6), '-frames:v', '3', '-c:v', 'libx264', '-crf', '16', three));
  const rows = measureInTurn({
    'ffmpeg transcode': ['ffmpeg', ffmpegArgs('-i', three, '-c:v', 'libx264', '-crf', '18', '-preset', 'medium', join(work, 'plain3.mp4'))],
    faceblur: faceblur(three, join(work, 'fb3.mp4')),
  });
  results.fixedCost = Object.fromEntries(Object.entries(rows).map(([name, r]) => [name, r.seconds]));
}

// A folder of short clips (phone-style 720p, 3 s each), one file at a time and two at a time.
const folder = join(work, 'short-clips');
if (PARTS.includes('batch') && !existsSync(folder)) {
  mkdirSync(folder);
  for (let i = 0; i < 8; i++) copyFileSync(makeClip(`short-${i}`, 720, 3, 10 + 12 * i), join(folder, `clip${i}.mp4`));
}
if (PARTS.includes('batch')) {
  const batchRun = (...flags) => [process.execPath, [cli, folder, '-o', `${join(work, 'short-out')}/`, '--force', '--quiet', '--verbose', ...flags]];
  results.batch = measureInTurn({ serial: batchRun(), '--jobs 2': batchRun('--jobs', '2') }, 'serial');
  for (const [name, r] of Object.entries(results.batch)) process.stderr.write(`batch ${name}: ${r.seconds.toFixed(2)} s\n`);
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
console.log('| clip | run | wall s | fps | × transcode (wall) | CPU-ms per frame | faceblur peak RSS |');
console.log('|---|---|---|---|---|---|---|');
for (const [label, rows] of Object.entries(results.video)) {
  for (const [name, r] of Object.entries(rows)) {
    const cpu = r.cpuMsPerFrame === undefined ? '–' : r.cpuMsPerFrame.toFixed(1);
    console.log(`| ${label} | ${name} | ${r.seconds.toFixed(2)} | ${r.fps.toFixed(1)} | ${r.ratio.toFixed(2)} | ${cpu} | ${r.peakRssMb ? `${r.peakRssMb} MB` : '–'} |`);
  }
  const cpuOf = (name) => rows[name]?.cpuMsPerFrame;
  const added = cpuOf('faceblur --replacewith none') - cpuOf('ffmpeg transcode') - cpuOf("inference only (defaults' detector, no video I/O)");
  if (Number.isFinite(added)) console.log(`| ${label} | what faceblur adds beyond the transcode and its detector (--replacewith none) | | | | ${added.toFixed(1)} | |`);
}
const profiles = Object.entries(results.profile ?? {});
if (profiles.length > 0) {
  console.log(`\n| CPU-ms per frame, defaults | ${profiles.map(([name]) => name).join(' | ')} |\n|---|${profiles.map(() => '---|').join('')}`);
  for (const part of Object.keys(profiles[0][1].parts)) console.log(`| ${part} | ${profiles.map(([, p]) => (p.parts[part] ?? 0).toFixed(1)).join(' | ')} |`);
  console.log(`| **total** | ${profiles.map(([, p]) => `**${p.cpuMsPerFrame.toFixed(1)}**`).join(' | ')} |`);
}
if (results.fixedCost) {
  console.log(`\n| 3-frame clip (fixed cost of a run) | wall s |\n|---|---|`);
  for (const [name, sec] of Object.entries(results.fixedCost)) console.log(`| ${name} | ${sec.toFixed(2)} |`);
}
console.log(`\n| 8 clips of 3 s, 720p | wall s | × serial |\n|---|---|---|`);
for (const [name, r] of Object.entries(results.batch)) console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${(r.ratio ?? 1).toFixed(2)} |`);
console.log(`\n| ${names.length} WIDER photos (${megapixels.toFixed(1)} MP) | s (model load excluded) | MP/s per core |\n|---|---|---|`);
for (const [name, r] of Object.entries(results.photos)) console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${r.mpPerSecondPerCore.toFixed(2)} |`);
