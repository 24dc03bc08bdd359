// Seek latency of `faceblur review`: how long a cold request for a random frame takes to become a
// JPEG the page can show (ffmpeg seek + decode from the keyframe before it + JPEG encode).
// Usage: node bench/review-seek.js VIDEO [COUNT]   (default: 20 random frames)
import { execFileSync } from 'node:child_process';
import { findFfmpeg } from '../dist/media/ffmpeg.js';
import { FrameSource } from '../dist/review/frames.js';

const [input, count = '20'] = process.argv.slice(2);
if (!input) throw new Error('usage: node bench/review-seek.js VIDEO [COUNT]');
const tools = findFfmpeg();
const probe = JSON.parse(
  execFileSync(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:frame=pts_time', '-of', 'json', input], { maxBuffer: 1 << 28 }).toString(),
);
const times = probe.frames.map((f) => Number(f.pts_time));
const t0 = times[0];
const timestamps = Float64Array.from(times, (t) => t - t0);
const { width, height } = probe.streams[0];
const identity = { path: input, bytes: 0, hash: '', kind: 'video', width, height, rotation: 0, duration: 0, frameCount: timestamps.length, timestamps };
const built = performance.now();
const src = new FrameSource(tools, input, identity);
await src.jpeg(0); // loads sharp and probes the start time once, as the page's first frame does

/** Random frames, each far from the last (no cache hits): with `result`, anonymized (never from the proxy). */
async function seeks(label, result) {
  const ms = [];
  for (let i = 0; i < Number(count); i++) {
    const n = Math.floor(Math.random() * timestamps.length);
    const start = performance.now();
    await src.jpeg(n, result ? { regions: [], settings: { replaceWith: 'blur', color: { r: 0, g: 0, b: 0 } }, key: String(i) } : undefined);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(0);
  console.log(`  ${label}: ${ms.length} random frames, median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`);
}

console.log(`${input}: ${width}x${height}, ${timestamps.length} frames`);
await seeks('by seeking (decode from the keyframe before)', true);
await src.proxyBuilt;
console.log(`  seek proxy built in ${((performance.now() - built) / 1000).toFixed(1)} s (${(timestamps.length / ((performance.now() - built) / 1000)).toFixed(0)} frames/s, while the seeks above also ran)`);
await seeks('from the seek proxy', false);
await src.close();
