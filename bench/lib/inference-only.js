// `node bench/lib/inference-only.js CLIP FRAMES [OPTIONS_JSON]`: the detector of a faceblur run with
// these options (defaults when none; JSON of FileOptions fields, e.g. '{"fast":true}') run on the
// clip's frames with no video I/O: the frames are decoded to a raw file first, untimed, and read
// back one by one into the same shared buffers faceblur uses, two frames in flight as in a run.
// Prints one JSON line: the loop's wall seconds and the CPU seconds of this whole process over it
// (main thread, detector thread, onnxruntime's threads), so the detector's cost as a run pays it;
// and `model`: the same for onnxruntime's session.run alone on this thread, on tensors of the same
// pass sizes filled once (the floor under the detector: no tensor fills, no decoding, no thread).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createTensorFiller, tensorGeometry } from '../../dist/detect/input-tensor.js';
import { detectionSize } from '../../dist/detect/detector.js';
import { createSession } from '../../dist/detect/session.js';
import { frameByteLength, frameFromBuffer } from '../../dist/media/frame.js';
import { findModel } from '../../dist/models/manifest.js';
import { locateModel } from '../../dist/models/install.js';
import { FramePool } from '../../dist/media/frame-pool.js';
import { fileOptionsSchema } from '../../dist/options.js';
import { encodingDetectorThreads, openFrameProcessors } from '../../dist/pipeline/setup.js';
import { createLog } from '../../dist/ui/log.js';

const [clip, framesArg, json] = process.argv.slice(2);
const frames = Number(framesArg);
const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', clip], { encoding: 'utf8' });
const [width, height] = probe.stdout.trim().split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'inference-only-'));
const raw = join(dir, 'frames.yuv');
const dec = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', clip, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', raw]);
if (dec.status !== 0) throw new Error(`decoding ${clip} failed: ${dec.stderr}`);

// The thread budget a video run gives its detector (run-files.ts), unless the options set one.
const o = fileOptionsSchema.parse({ quiet: true, threads: encodingDetectorThreads(availableParallelism()), ...(json ? JSON.parse(json) : {}) });
const { detector, processors } = await openFrameProcessors(o, createLog({ quiet: true, verbose: false }), 'videos');
const size = frameByteLength('yuv420p', width, height);
const pool = new FramePool();
const fd = openSync(raw, 'r');
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const inFlight = [];
let found = 0;
for (let i = 0; i < frames; i++) {
  const buf = pool.take(size);
  if (readSync(fd, buf, 0, size, i * size) < size) break;
  const frame = frameFromBuffer(buf, 'yuv420p', width, height, i, i / 30);
  inFlight.push(processors.motion.detect(frame).then((d) => (found += d.length, pool.give(buf))));
  if (inFlight.length >= 2) await inFlight.shift();
}
await Promise.all(inFlight);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(cpu0);
await detector.dispose();

// The default video passes of YuNet (pipeline/setup.ts planPasses): full and half size, and 2x up to 960 px wide.
const session = await createSession(await locateModel(findModel('yunet')), { provider: 'cpu', threads: o.threads, notice: () => undefined });
const first = new Uint8Array(size);
readSync(fd, first, 0, size, 0);
closeSync(fd);
const frame0 = frameFromBuffer(first, 'yuv420p', width, height, 0, 0);
const tensors = [1, 0.5, ...(width <= 960 ? [2] : [])].map((factor) => {
  const d = detectionSize(width, height, { factor });
  const geo = tensorGeometry(d.width, d.height, 32);
  const data = new Float32Array(3 * geo.paddedWidth * geo.paddedHeight);
  createTensorFiller(width, height, geo, 'bgr')(frame0, data);
  return new ort.Tensor('float32', data, [1, 3, geo.paddedHeight, geo.paddedWidth]);
});
const m0 = process.cpuUsage();
const mt0 = process.hrtime.bigint();
for (let i = 0; i < frames; i++) for (const t of tensors) await session.run({ [session.inputNames[0]]: t });
const model = { seconds: Number(process.hrtime.bigint() - mt0) / 1e9, cpu: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(m0)) };
await session.dispose();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ frames, seconds, cpu: (c.user + c.system) / 1e6, detections: found, model }));
