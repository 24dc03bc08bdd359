// `npm run bench:mkv`: how fast each Matroska reader turns the decoder's output into frames, at 4K.
//
// faceblur's decoder (src/media/decode.ts) has ffmpeg write raw yuv420p frames into Matroska on a
// pipe (unknown-size segment and clusters, one SimpleBlock per frame), and reads them back with
// src/media/mkv-read.ts + byte-reader.ts. This script makes such a stream once with the same ffmpeg
// arguments, keeps it in a temporary file, and feeds it to each reader through a real pipe (`cat`),
// so that the parsing is timed and not ffmpeg. Each reader must hand over every frame
// as one contiguous buffer of the right size, with its timestamp. Readers run interleaved, round
// after round, each in its own process with a time limit (a reader that copies its whole buffer on
// every chunk blocks the event loop for minutes at 4K); the medians are written to bench/results/mkv.json.
//
// Environment: BENCH_FRAMES (default 24 frames of 3840x2160), BENCH_ROUNDS (default 5), BENCH_LIMIT
// (seconds one reader may take for the stream, default 60), BENCH_OUT.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ebml from 'ebml';
import { EbmlStreamDecoder, EbmlTagId } from 'ebml-stream';
import tsEbml from 'ts-ebml';
import { ByteReader } from '../dist/media/byte-reader.js';
import { FramePool } from '../dist/media/frame-pool.js';
import { readMkvFrames } from '../dist/media/mkv-read.js';
import { median } from './lib/timing.js';

const WIDTH = 3840;
const HEIGHT = 2160;
const FRAME_BYTES = (WIDTH * HEIGHT * 3) / 2;
const FRAMES = Number(process.env.BENCH_FRAMES ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 60);
const resultsDir = process.env.BENCH_OUT ?? join(import.meta.dirname, 'results');

/** The stream decode.ts reads, made by the same muxer settings (to a pipe, so sizes are unknown). */
function makeStream() {
  return execFileSync('ffmpeg', [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=30`, '-frames:v', String(FRAMES),
    '-pix_fmt', 'yuv420p', '-c:v', 'rawvideo', '-f', 'matroska', 'pipe:1',
  ], { maxBuffer: 2 * FRAMES * FRAME_BYTES + (1 << 20) });
}

/** The stream as the decoder's pipe delivers it: `cat` writes the file into a real pipe, read in the chunks the kernel gives. */
const pipeOf = (file) => spawn('cat', [file], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout;

/**
 * Each reader resolves to the frames it delivered, [time in seconds, size in bytes], and calls
 * `seen(index)` as each frame arrives. The baseline only drains the chunks: the cost of the pipe.
 */
const READERS = {
  'no parsing (the chunks alone)': async (stream) => {
    for await (const chunk of stream) chunk.length;
    return undefined;
  },
  'faceblur mkv-read.ts': async (stream, seen) => {
    const out = [];
    // decode.ts reads into buffers from its FramePool, handed back once a frame is encoded; here each frame is dropped at once.
    const pool = new FramePool();
    for await (const item of readMkvFrames(new ByteReader(stream), (n) => pool.take(n))) {
      if (!('data' in item)) continue;
      seen(out.push([item.time, item.data.length]) - 1);
      pool.give(item.data);
    }
    return out;
  },
  'ebml (node-ebml)': (stream, seen) => new Promise((resolve, reject) => {
    const out = [];
    let cluster = 0;
    const decoder = new ebml.Decoder();
    decoder.on('data', ([kind, tag]) => {
      if (kind !== 'tag') return;
      if (tag.name === 'Timecode') cluster = tag.value;
      else if (tag.name === 'SimpleBlock') seen(out.push([(cluster + tag.value) / 1000, tag.payload.length]) - 1);
    });
    decoder.on('finish', () => resolve(out)).on('error', reject);
    stream.pipe(decoder);
  }),
  'ebml-stream': (stream, seen) => new Promise((resolve, reject) => {
    const out = [];
    let cluster = 0;
    const decoder = new EbmlStreamDecoder();
    decoder.on('data', (tag) => {
      if (tag.id === EbmlTagId.Timecode) cluster = tag.data;
      else if (tag.id === EbmlTagId.SimpleBlock) seen(out.push([(cluster + tag.value) / 1000, tag.payload.length]) - 1);
    });
    decoder.on('finish', () => resolve(out)).on('error', reject);
    stream.pipe(decoder);
  }),
  'ts-ebml': async (stream, seen) => {
    const out = [];
    let cluster = 0;
    const decoder = new tsEbml.Decoder();
    for await (const chunk of stream) {
      for (const el of decoder.decode(chunk)) {
        if (el.name === 'Timestamp' || el.name === 'Timecode') cluster = el.value;
        else if (el.name === 'SimpleBlock') {
          const block = tsEbml.tools.ebmlBlock(el.data);
          seen(out.push([(cluster + block.timecode) / 1000, block.frames[0].length]) - 1);
        }
      }
    }
    return out;
  },
};

/** Throws unless a reader delivered every frame, whole, at 30 fps timestamps. */
function check(name, frames) {
  if (frames === undefined) return;
  if (frames.length !== FRAMES) throw new Error(`${name}: ${frames.length} frames, expected ${FRAMES}`);
  frames.forEach(([time, size], i) => {
    if (size !== FRAME_BYTES) throw new Error(`${name}: frame ${i} has ${size} bytes, expected ${FRAME_BYTES}`);
    if (Math.abs(time - i / 30) > 0.002) throw new Error(`${name}: frame ${i} at ${time} s, expected ${i / 30}`);
  });
}

/** Child mode: one reader on the stream file; prints `frame <index> <elapsed s>` as frames arrive, then `done <s>`. */
async function child(name, file) {
  readFileSync(file); // into the page cache, so that the first reader pays no disk read
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const frames = await READERS[name](pipeOf(file), (i) => process.stdout.write(`frame ${i} ${elapsed()}\n`));
  const seconds = elapsed();
  check(name, frames);
  process.stdout.write(`done ${seconds}\n`);
}

/** One timed run in a fresh process: the stream's seconds, or the rate reached when the limit struck. */
function run(name, file) {
  const r = spawnSync(process.execPath, [import.meta.filename, '--read', name, file], { encoding: 'utf8', timeout: LIMIT * 1000, maxBuffer: 1 << 20 });
  const done = /^done (\S+)$/m.exec(r.stdout);
  if (done) return { seconds: Number(done[1]), finished: true };
  if (r.signal !== 'SIGTERM') throw new Error(`${name} failed: ${r.stderr.slice(-2000)}`);
  const last = [...r.stdout.matchAll(/^frame (\d+) (\S+)$/gm)].at(-1);
  // Unfinished: the whole stream would take at least this long at the rate reached.
  return { seconds: last ? (Number(last[2]) * FRAMES) / (Number(last[1]) + 1) : LIMIT * FRAMES, finished: false };
}

if (process.argv[2] === '--read') {
  await child(process.argv[3], process.argv[4]);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'faceblur-bench-mkv-'));
const file = join(work, 'stream.mkv');
const bytes = makeStream();
writeFileSync(file, bytes);
console.error(`stream: ${FRAMES} frames of ${WIDTH}x${HEIGHT} yuv420p, ${(bytes.length / 1e6).toFixed(0)} MB`);
const times = Object.fromEntries(Object.keys(READERS).map((k) => [k, []]));
const stopped = Object.fromEntries(Object.keys(READERS).map((k) => [k, 0]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(READERS)) {
      // A reader that could not finish its first run is measured once: its rate is far from the others'.
      if (round > 0 && stopped[name] === times[name].length) continue;
      const { seconds, finished } = run(name, file);
      if (!finished) stopped[name]++;
      times[name].push(seconds);
      console.error(`round ${round + 1} ${name}: ${(FRAMES / seconds).toFixed(2)} fps${finished ? '' : ` (stopped after ${LIMIT} s)`}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// A stopped run counts at the rate it had reached by its last frame.
const results = Object.fromEntries(Object.entries(times).map(([name, ts]) => {
  const s = median(ts);
  return [name, {
    medianSeconds: +s.toFixed(4), fps: +(FRAMES / s).toFixed(2), mbPerSecond: +(bytes.length / 1e6 / s).toFixed(1),
    runs: ts.length, stoppedRuns: stopped[name], roundsSeconds: ts.map((t) => +t.toFixed(4)),
  }];
}));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'mkv.json'), `${JSON.stringify({
  date: new Date().toISOString(), node: process.version, width: WIDTH, height: HEIGHT, frames: FRAMES, rounds: ROUNDS, limitSeconds: LIMIT, feed: 'cat stream.mkv | reader', streamBytes: bytes.length, results,
}, null, 2)}\n`);
console.log('| reader | fps at 4K (median) | MB/s | runs stopped at the limit |\n|---|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.fps} | ${r.mbPerSecond} | ${r.stoppedRuns} of ${r.runs} |`);
