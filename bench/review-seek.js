// Seek latency of `faceblur review`: how long a request for a random frame takes to become a JPEG
// the page can show, in the two ways the editor opens:
//  - on a project made earlier by `faceblur analyze`: the seek proxy is decoded by the review, so a
//    frame it does not hold yet starts a decode at that frame, from the keyframe before it;
//  - after the review's own first analysis, whose decoder also wrote every frame into the proxy
//    (`analyze --seek-proxy`): every seek is a file read.
// Also what that costs the analysis (CPU per frame with and without --seek-proxy, interleaved), the
// CPU of one first seek (ffmpeg started at the frame, as a proxy run is), and "show result" (a
// full-size decode, anonymized). CPU times include every ffmpeg child; on a shared machine they are
// the figures to trust, wall times follow the load.
// Usage: node bench/review-seek.js VIDEO [COUNT] [ROUNDS]   (defaults: 20 random frames, 2 rounds)
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { findFfmpeg, passthroughArgs, seconds } from '../dist/media/ffmpeg.js';
import { jpegFrameArgs } from '../dist/media/jpeg-frames.js';
import { FrameSource } from '../dist/review/frames.js';
import { SeekTime } from '../dist/review/seek-time.js';
import { cpuCommand } from './lib/cpu.js';
import { seededRandom } from './lib/random.js';
import { childrenReaped, cpuSeconds, median } from './lib/timing.js';
import { SHARED } from './lib/wider.js';

const [input, count = '20', rounds = '2'] = process.argv.slice(2);
if (!input) throw new Error('usage: node bench/review-seek.js VIDEO [COUNT] [ROUNDS]');
const tools = findFfmpeg();
const probe = JSON.parse(
  execFileSync(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:frame=pts_time,key_frame', '-of', 'json', input], { maxBuffer: 1 << 28 }).toString(),
);
const times = probe.frames.map((f) => Number(f.pts_time));
const keyframes = probe.frames.filter((f) => f.key_frame === 1).length;
const timestamps = Float64Array.from(times, (t) => t - times[0]);
const frames = timestamps.length;
const { width, height } = probe.streams[0];
const identity = { path: input, bytes: 0, hash: '', kind: 'video', width, height, rotation: 0, duration: 0, frameCount: frames, timestamps };
const rand = seededRandom(7);
const work = mkdtempSync(join(tmpdir(), 'faceblur-bench-review-seek-'));
const cli = join(import.meta.dirname, '..', 'bin', 'faceblur.js');
const env = { ...process.env, FACEBLUR_MODEL_DIR: process.env.FACEBLUR_MODEL_DIR ?? join(SHARED, 'models') };
const cpu = () => {
  const c = cpuSeconds();
  return c.own + c.children;
};
const ms = (xs) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const randomFrames = () => Array.from({ length: Number(count) }, () => Math.floor(rand() * frames));

/**
 * Wall ms of each request for a random frame (far apart: no cache hit) from a FrameSource just
 * opened, and the CPU seconds from opening to closing it (its ffmpeg children included).
 */
async function seeks(prebuilt, result) {
  const before = cpu();
  const src = new FrameSource(tools, input, identity, prebuilt);
  const wall = [];
  for (const [i, n] of randomFrames().entries()) {
    const start = performance.now();
    await src.jpeg(n, result ? { regions: [], settings: { replaceWith: 'blur', color: { r: 0, g: 0, b: 0 } }, key: String(i) } : undefined);
    wall.push(performance.now() - start);
  }
  await src.close();
  await childrenReaped();
  return { wall, cpu: cpu() - before };
}

/** CPU seconds of one first seek to frame n: ffmpeg started at n as a seek-proxy run is, until it wrote frame n. */
async function firstSeekCpu(seekTime, n) {
  const ss = await seekTime.of(n);
  const args = ['-nostdin', '-loglevel', 'error', ...(ss > 0 ? ['-ss', seconds(ss)] : []), '-i', input, '-frames:v', '1', ...jpegFrameArgs(tools), '-y', join(work, 'one.jpg')];
  return cpuCommand(tools.ffmpeg, args).cpu;
}

/** CPU seconds of the analysis's decode alone (raw frames as decodeVideo writes them, to /dev/null), with or without the seek proxy's output. */
function decoderCpu(proxy) {
  const raw = ['-map', '0:v:0', '-an', '-sn', '-dn', ...passthroughArgs(tools), '-pix_fmt', 'yuv420p', '-c:v', 'rawvideo', '-f', 'matroska', '/dev/null'];
  return cpuCommand(tools.ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-copyts', '-i', input, ...raw, ...(proxy ? [...jpegFrameArgs(tools), join(work, 'decoder.mjpeg')] : [])]).cpu;
}

console.log(`${input}: ${width}x${height}, ${frames} frames, ${keyframes} keyframes; load average ${os.loadavg()[0].toFixed(1)}`);
const analysis = { plain: [], proxy: [] };
const decoder = { plain: [], proxy: [] };
const existing = { wall: [], cpu: [] };
const analyzed = { wall: [], cpu: [] };
const first = [];
const proxyFile = join(work, 'frames.mjpeg');
try {
  for (let r = 0; r < Number(rounds); r++) {
    const project = ['analyze', input, '-o', join(work, 'p.faceblur.json'), '-f', '-q'];
    analysis.plain.push(cpuCommand(process.execPath, [cli, ...project], env).cpu);
    analysis.proxy.push(cpuCommand(process.execPath, [cli, ...project, '--seek-proxy', proxyFile], env).cpu);
    decoder.plain.push(decoderCpu(false));
    decoder.proxy.push(decoderCpu(true));

    // A project made earlier: the proxy is decoded by the review, a run starting at each frame asked for.
    const a = await seeks(undefined, false);
    existing.wall.push(...a.wall);
    existing.cpu.push(a.cpu / a.wall.length);

    // After the review's own analysis: the proxy takes over the file the analysis wrote (a copy: it moves it).
    copyFileSync(proxyFile, join(work, 'round.mjpeg'));
    const b = await seeks(join(work, 'round.mjpeg'), false);
    analyzed.wall.push(...b.wall);
    analyzed.cpu.push(b.cpu / b.wall.length);

    const seekTime = new SeekTime(tools, input, timestamps);
    for (const n of randomFrames().slice(0, 5)) first.push(await firstSeekCpu(seekTime, n));
  }
  const perFrame = (xs) => (median(xs) / frames) * 1000;
  console.log(`  analyze: ${perFrame(analysis.plain).toFixed(1)} CPU-ms a frame; with --seek-proxy ${perFrame(analysis.proxy).toFixed(1)} ` +
    `(+${(perFrame(analysis.proxy) - perFrame(analysis.plain)).toFixed(1)}, ${((median(analysis.proxy) / median(analysis.plain) - 1) * 100).toFixed(1)}%); medians of ${rounds}, set-up included`);
  console.log(`  the analysis's decoder alone: ${perFrame(decoder.plain).toFixed(1)} CPU-ms a frame; with the seek proxy's output ${perFrame(decoder.proxy).toFixed(1)}`);
  console.log(`  project made earlier, from opening (a decode starts at each frame): ${existing.wall.length} random frames, ${ms(existing.wall)}; ${(median(existing.cpu) * 1000).toFixed(0)} CPU-ms a seek (its run goes on until the next seek)`);
  console.log(`  one first seek alone (ffmpeg started at the frame): ${first.length} random frames, median ${(median(first) * 1000).toFixed(0)} CPU-ms, max ${(Math.max(...first) * 1000).toFixed(0)}`);
  console.log(`  after the review's analysis (proxy filled by its decoder): ${analyzed.wall.length} random frames, ${ms(analyzed.wall)}; ${(median(analyzed.cpu) * 1000).toFixed(1)} CPU-ms a seek`);
  const result = await seeks(proxyFile, true);
  console.log(`  show result (full-size decode from the keyframe before, anonymized): ${result.wall.length} random frames, ${ms(result.wall)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
