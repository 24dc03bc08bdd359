// `npm run bench:cam`: live mode on a 640x480, 30 fps source made from the real face clips in
// ../shared/data/videos/asl, played at its own rate (as a camera delivers frames). A browser-like
// MJPEG client watches the preview the whole time. Reports the sustained frame rate, the median
// and 95th percentile latency from frame read to frame served, and dropped frames, as medians of
// BENCH_RUNS runs. Writes bench/results/cam.json and prints a markdown table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { median } from './lib/timing.js';
import { SHARED } from './lib/wider.js';

const work = process.env.BENCH_WORK ?? join(import.meta.dirname, 'work');
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');
const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
mkdirSync(work, { recursive: true });

// The ASL clips are native 640x480 at 30 fps, one signer facing the camera with hands passing over
// the face: a webcam's picture. Joined end to end they make a source longer than a session.
const source = join(work, 'cam-asl-640x480-30fps.mkv');
if (!existsSync(source)) {
  const dir = join(SHARED, 'data', 'videos', 'asl');
  const list = join(work, 'asl-list.txt');
  writeFileSync(list, readdirSync(dir).filter((n) => n.endsWith('.mkv')).sort().map((n) => `file '${join(dir, n)}'`).join('\n'));
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-an', '-c:v', 'libx264', '-crf', '18', '-r', '30', source]);
}

// BENCH_VARIANTS_JSON='{"name": ["--flag", "value"]}' measures other settings.
const VARIANTS = process.env.BENCH_VARIANTS_JSON
  ? JSON.parse(process.env.BENCH_VARIANTS_JSON)
  : {
      'default': [],
      '--detect-every 2': ['--detect-every', '2'],
    };

/** One session: start, watch the MJPEG stream for SECONDS, stop with SIGINT, read the summary line. */
function session(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'cam', '--device', source, '--no-open', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let parts = 0;
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /Preview: (\S+)/.exec(stderr);
      if (m && parts === 0) {
        parts = -1;
        const url = new URL(m[1]);
        get(`${url.origin}/stream.mjpg${url.search}`, (res) => res.on('data', (chunk) => (parts += String(chunk).split('--faceblurframe').length - 1)));
        setTimeout(() => child.kill('SIGINT'), SECONDS * 1000);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /(\d+) frames in ([\d.]+) s \(([\d.]+) fps\), latency median (\d+) ms, p95 (\d+) ms, (\d+) dropped/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`cam exited ${code}: ${stderr}`));
      resolve({ frames: Number(m[1]), seconds: Number(m[2]), fps: Number(m[3]), medianMs: Number(m[4]), p95Ms: Number(m[5]), dropped: Number(m[6]), viewerParts: parts });
    });
  });
}

const results = {};
for (const [name, args] of Object.entries(VARIANTS)) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await session(args));
  results[name] = { fps: median(runs.map((r) => r.fps)), medianMs: median(runs.map((r) => r.medianMs)), p95Ms: median(runs.map((r) => r.p95Ms)), dropped: median(runs.map((r) => r.dropped)), runs };
  process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
}

mkdirSync(resultsDir, { recursive: true });
const out = { source: '640x480, 30 fps: the 20 ASL clips of ../shared/data/videos joined, read at its own rate', seconds: SECONDS, runs: RUNS, cpus: (await import('node:os')).cpus().length, results };
writeFileSync(join(resultsDir, 'cam.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('| settings | fps (source 30) | latency median | latency p95 | dropped |');
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.fps} | ${r.medianMs} ms | ${r.p95Ms} ms | ${r.dropped} |`);
