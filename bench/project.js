// `npm run bench:project`: size and load time of the project of a synthetic 1-hour 1080p 30 fps
// video with 20 faces on screen at every frame (issue 14's target: under 30 MB, loaded in under 1 s).
// Faces walk across the frame with detector-like jitter (±1.5 px), hold for a few frames now and
// then, and are replaced as they leave; candidates come and go as short low-score tracks.
// Writes bench/results/project.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxesBuilder } from '../dist/project/boxes.js';
import { readProject, writeProject } from '../dist/project/file.js';
import { median } from './lib/timing.js';
import { seededRandom } from './lib/random.js';

const FPS = 30;
const FRAMES = 3600 * FPS;
const ON_SCREEN = 20;
const [W, H] = [1920, 1080];

// Deterministic, so every run measures the same file.
const rand = seededRandom(14);

function face(start, length, score) {
  const b = new BoxesBuilder();
  const size = 40 + rand() * 160;
  let [x, y] = [rand() * (W - size), rand() * (H - size)];
  const [vx, vy] = [(rand() - 0.5) * 4, (rand() - 0.5) * 1];
  let held = 0;
  for (let f = start; f < Math.min(FRAMES, start + length); f++) {
    x += vx;
    y += vy;
    if (held === 0 && rand() < 0.01) held = 1 + Math.floor(rand() * 10);
    const kind = held > 0 ? 'held' : 'detected';
    if (held > 0) held--;
    const j = () => (rand() - 0.5) * 3;
    b.push(f, { x1: x + j(), y1: y + j(), x2: x + size + j(), y2: y + size * 1.2 + j() }, Math.min(1, score + (rand() - 0.5) * 0.1), kind);
  }
  return b.build();
}

const tracks = [];
const candidates = [];
let id = 0;
for (let lane = 0; lane < ON_SCREEN; lane++) {
  for (let f = 0; f < FRAMES; ) {
    const length = Math.floor(FPS * (5 + rand() * 55));
    tracks.push({ id: id++, origin: 'auto', action: 'redact', boxes: face(f, length, 0.5 + rand() * 0.45) });
    f += length;
  }
}
for (let f = 0; f < FRAMES; f += Math.floor(FPS * rand() * 10)) {
  candidates.push({ id: id++, bestScore: 0.1 + rand() * 0.2, boxes: face(f, Math.floor(2 + rand() * FPS * 2), 0.15) });
}
const timestamps = Float64Array.from({ length: FRAMES }, (_, i) => i / FPS);
const project = {
  format: 'faceblur-project',
  version: 1,
  faceblur: 'bench',
  input: { path: 'synthetic-1h.mp4', bytes: 4e9, hash: `sha256-sampled:${'0'.repeat(64)}`, kind: 'video', width: W, height: H, rotation: 0, duration: 3600, frameCount: FRAMES, timestamps },
  settings: { threshold: 0.3, candidateFloor: 0.1, detector: ['yunet'], passes: 'default', detectEvery: 1, tracking: { hold: 0.5, lookahead: 0.5, smooth: 3 } },
  tracks,
  candidates,
};
const boxes = tracks.reduce((s, t) => s + t.boxes.frame.length, 0) + candidates.reduce((s, t) => s + t.boxes.frame.length, 0);

const dir = mkdtempSync(join(tmpdir(), 'faceblur-bench-project-'));
const file = join(dir, 'synthetic-1h.faceblur.json');
if (process.env.BENCH_KEEP) console.log(file);
try {
  const writes = [];
  const loads = [];
  const loadCpu = [];
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    await writeProject(file, project);
    writes.push((performance.now() - t) / 1000);
    t = performance.now();
    const cpu = process.cpuUsage();
    const loaded = await readProject(file);
    loads.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(cpu);
    loadCpu.push((used.user + used.system) / 1e6);
    if (loaded.tracks.length !== tracks.length) throw new Error('the project did not load back whole');
  }
  const result = {
    frames: FRAMES,
    facesOnScreen: ON_SCREEN,
    tracks: tracks.length,
    candidates: candidates.length,
    boxes,
    megabytes: Number((statSync(file).size / 1e6).toFixed(2)),
    bytesPerBox: Number((statSync(file).size / boxes).toFixed(2)),
    loadSeconds: Number(median(loads).toFixed(3)),
    loadCpuSeconds: Number(median(loadCpu).toFixed(3)),
    loadAverage: os.loadavg()[0],
    cores: os.availableParallelism(),
    writeSeconds: Number(median(writes).toFixed(3)),
    node: process.version,
    note: 'median of 3 rounds; load = read + JSON.parse + zod validation + unpacking every column into typed arrays; loadCpuSeconds is the CPU time of that load, less sensitive to a busy machine than the wall time',
  };
  const out = join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'project.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  JSON.parse(readFileSync(join(out, 'project.json'), 'utf8'));
} finally {
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
