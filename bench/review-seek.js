// Seek latency of `faceblur review`: how long a request for a random frame takes to become a JPEG
// the page can show, from the moment the editor opens (the seek proxy is not built yet: each frame
// far from the last starts a decode at that frame, from the keyframe before it), then for "show
// result" (a full-size decode, anonymized), then once the proxy holds every frame.
// Usage: node bench/review-seek.js VIDEO [COUNT]   (default: 20 random frames per row)
import { execFileSync } from 'node:child_process';
import { findFfmpeg } from '../dist/media/ffmpeg.js';
import { FrameSource } from '../dist/review/frames.js';
import { seededRandom } from './lib/random.js';

const [input, count = '20'] = process.argv.slice(2);
if (!input) throw new Error('usage: node bench/review-seek.js VIDEO [COUNT]');
const tools = findFfmpeg();
const probe = JSON.parse(
  execFileSync(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:frame=pts_time,key_frame', '-of', 'json', input], { maxBuffer: 1 << 28 }).toString(),
);
const times = probe.frames.map((f) => Number(f.pts_time));
const keyframes = probe.frames.filter((f) => f.key_frame === 1).length;
const t0 = times[0];
const timestamps = Float64Array.from(times, (t) => t - t0);
const { width, height } = probe.streams[0];
const identity = { path: input, bytes: 0, hash: '', kind: 'video', width, height, rotation: 0, duration: 0, frameCount: timestamps.length, timestamps };
const rand = seededRandom(7);
const opened = performance.now();
const src = new FrameSource(tools, input, identity);

/** Random frames, each far from the last (no cache hits): with `result`, anonymized (never from the proxy). */
async function seeks(label, result) {
  const ms = [];
  for (let i = 0; i < Number(count); i++) {
    const n = Math.floor(rand() * timestamps.length);
    const start = performance.now();
    await src.jpeg(n, result ? { regions: [], settings: { replaceWith: 'blur', color: { r: 0, g: 0, b: 0 } }, key: String(i) } : undefined);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(0);
  console.log(`  ${label}: ${ms.length} random frames, median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`);
}

console.log(`${input}: ${width}x${height}, ${timestamps.length} frames, ${keyframes} keyframes`);
await seeks('from opening, proxy not built (a decode starts at each frame)', false);
await seeks('show result (full-size decode from the keyframe before, anonymized)', true);
await src.proxyBuilt;
console.log(`  seek proxy complete ${((performance.now() - opened) / 1000).toFixed(1)} s after opening (while the seeks above also ran)`);
await seeks('from the complete seek proxy', false);
await src.close();
