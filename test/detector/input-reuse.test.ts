import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDetector, openModelSession, type DetectorConfig } from '../../src/detect/detector.js';
import { createTensorFiller, InputBuffers, tensorGeometry } from '../../src/detect/input-tensor.js';
import { frameByteLength, frameFromBuffer, type Frame } from '../../src/media/frame.js';
import { MODEL_DIR, SHARED } from '../helpers.js';

const W = 1280, H = 720;

/** Frames of the walking footage (a man walks up to the camera) at 720p, yuv420p as the decoder hands them over. */
function realFrames(count: number): Frame[] {
  const size = frameByteLength('yuv420p', W, H);
  const video = join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4');
  const buf = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-ss', '24', '-i', video, '-vf', `scale=${W}:${H},fps=2`, '-frames:v', String(count), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'], { maxBuffer: count * size + 1 });
  return Array.from({ length: count }, (_, i) => frameFromBuffer(new Uint8Array(buf.buffer, buf.byteOffset + i * size, size), 'yuv420p', W, H, i, i / 2));
}

const frames = realFrames(4);
const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('the half-size pass reuses the full-size tensor (real 720p frames)', () => {
  it("copies the half tensor out of the full one bit for bit as the half fill makes it", () => {
    const full = tensorGeometry(W, H, 32);
    const half = tensorGeometry(W / 2, H / 2, 32);
    const halfLength = 3 * half.paddedWidth * half.paddedHeight;
    for (const frame of frames) {
      const buffer = new Float32Array(3 * full.paddedWidth * full.paddedHeight);
      const held = createTensorFiller(W, H, full, 'bgr')(frame, buffer);
      createTensorFiller(W, H, half, 'bgr')(frame, buffer.subarray(0, halfLength), held);
      const direct = new Float32Array(halfLength);
      createTensorFiller(W, H, half, 'bgr')(frame, direct);
      expect(sameBits(buffer.subarray(0, halfLength), direct)).toBe(true);
    }
  });

  const cfg = (factor: number): DetectorConfig => ({
    family: 'yunet',
    modelPath: join(MODEL_DIR, 'yunet_s_dynamic.onnx'),
    threshold: 0.3,
    size: { factor },
    provider: 'cpu',
    threads: 1,
    notice: () => undefined,
  });
  const session = openModelSession(cfg(1));
  afterAll(async () => (await session).dispose());

  it("finds the same faces as a half-size pass that fills its own buffer", async () => {
    const s = await session;
    const buffers = new InputBuffers();
    const fullPass = await createDetector(cfg(1), { session: s, buffers });
    const halfPass = await createDetector(cfg(0.5), { session: s, buffers });
    const alone = await createDetector(cfg(0.5), { session: s, buffers: new InputBuffers() });
    let faces = 0;
    for (const frame of frames) {
      await fullPass.detect(frame);
      // The shared buffer now holds this frame's full-size tensor, which the half pass copies from.
      const spare = buffers.take(1);
      expect(buffers.contentOf(spare)?.frame).toBe(frame);
      buffers.give(spare, buffers.contentOf(spare));
      const reused = await halfPass.detect(frame);
      expect(reused).toEqual(await alone.detect(frame));
      faces += reused.length;
    }
    expect(faces).toBeGreaterThan(0);
  });
});
