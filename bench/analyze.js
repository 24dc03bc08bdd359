// `npm run bench:analyze`: how much faster `faceblur analyze` (decode, detect, track, write the
// project) is than a full anonymize (the same, plus masks and the encoder) of the same clips.
// Runs are interleaved, analyze then anonymize, and each ratio is taken per round; medians are
// reported (the machine is shared, so single times are noisy). Writes bench/results/analyze.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeCommand } from './lib/timing.js';
import { SHARED } from './lib/wider.js';

const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'faceblur-bench-analyze-'));

// 20 s of people walking past a camera (768x432, 10 fps), and the same scaled to 720p at 30 fps.
const ffmpeg = (args) => timeCommand('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args]);
const source = join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4');
const clips = {
  '768x432 10 fps, 20 s': join(work, 'walk432.mp4'),
  '1280x720 30 fps, 10 s': join(work, 'walk720.mp4'),
};
ffmpeg(['-ss', '20', '-i', source, '-t', '20', '-an', '-c:v', 'libx264', '-crf', '18', clips['768x432 10 fps, 20 s']]);
ffmpeg(['-ss', '20', '-i', source, '-t', '10', '-an', '-vf', 'scale=1280:720,fps=30', '-c:v', 'libx264', '-crf', '18', clips['1280x720 30 fps, 10 s']]);

const results = {};
try {
  for (const [name, clip] of Object.entries(clips)) {
    const analyze = [];
    const anonymize = [];
    const ratio = [];
    for (let r = 0; r < rounds; r++) {
      const a = timeCommand(process.execPath, [cli, 'analyze', clip, '-o', join(work, 'p.faceblur.json'), '-f', '-q'], env).seconds;
      const b = timeCommand(process.execPath, [cli, clip, '-o', join(work, 'out.mp4'), '-f', '-q'], env).seconds;
      analyze.push(a);
      anonymize.push(b);
      ratio.push(b / a);
    }
    results[name] = {
      analyzeSeconds: Number(median(analyze).toFixed(2)),
      anonymizeSeconds: Number(median(anonymize).toFixed(2)),
      speedup: Number(median(ratio).toFixed(2)),
      rounds,
    };
    console.log(name, results[name]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'analyze.json'), `${JSON.stringify({ results, note: 'medians of interleaved rounds on a shared 2-core machine; speedup = anonymize / analyze per round' }, null, 2)}\n`);
