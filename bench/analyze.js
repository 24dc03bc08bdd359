// `npm run bench:analyze`: how much faster `faceblur analyze` (decode, detect, track, write the
// project) is than a full anonymize (the same, plus masks and the encoder) of the same clips.
// Runs are interleaved, analyze then anonymize, and each ratio is taken per round; medians are
// reported. Besides wall time, each run's CPU time (user + system, its threads and its ffmpeg
// children included, from GNU time) is recorded: on a shared machine it is the steadier measure of
// the work saved. Writes bench/results/analyze.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeCommand } from './lib/timing.js';

/** Wall and CPU seconds of one CLI run, through GNU time (`/usr/bin/time`). */
function timeCpu(args) {
  const r = timeCommand('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, cli, ...args], env);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall: r.seconds, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}
import { SHARED } from './lib/wider.js';

const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const work = mkdtempSync(join(tmpdir(), 'faceblur-bench-analyze-'));

// 8 s of people walking past a camera (768x432, 10 fps), and 3 s of the same scaled to 1080p at 30 fps.
const ffmpeg = (args) => timeCommand('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args]);
const source = join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4');
const clips = {
  '768x432 10 fps, 8 s': join(work, 'walk432.mp4'),
  '1920x1080 30 fps, 3 s': join(work, 'walk1080.mp4'),
};
ffmpeg(['-ss', '20', '-i', source, '-t', '8', '-an', '-c:v', 'libx264', '-crf', '18', clips['768x432 10 fps, 8 s']]);
ffmpeg(['-ss', '20', '-i', source, '-t', '3', '-an', '-vf', 'scale=1920:1080,fps=30', '-c:v', 'libx264', '-crf', '18', clips['1920x1080 30 fps, 3 s']]);

const results = {};
try {
  for (const [name, clip] of Object.entries(clips)) {
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      const a = timeCpu(['analyze', clip, '-o', join(work, 'p.faceblur.json'), '-f', '-q']);
      const b = timeCpu([clip, '-o', join(work, 'out.mp4'), '-f', '-q']);
      runs.push({ a, b });
    }
    const med = (f) => Number(median(runs.map(f)).toFixed(2));
    results[name] = {
      analyzeWallSeconds: med((x) => x.a.wall),
      anonymizeWallSeconds: med((x) => x.b.wall),
      wallSpeedup: med((x) => x.b.wall / x.a.wall),
      analyzeCpuSeconds: med((x) => x.a.cpu),
      anonymizeCpuSeconds: med((x) => x.b.cpu),
      cpuSpeedup: med((x) => x.b.cpu / x.a.cpu),
      rounds,
      loadAverage: os.loadavg()[0],
    };
    console.log(name, results[name]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'analyze.json'), `${JSON.stringify({ results, note: 'medians of interleaved rounds on a shared 2-core machine; speedups = anonymize / analyze per round; CPU = user + system of the CLI, its threads and its ffmpeg children' }, null, 2)}\n`);
