import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { setGraphDims } from '../../src/detect/onnx-dims.js';
import { MODEL_DIR } from '../helpers.js';

const staticModel = join(MODEL_DIR, 'centerface-random-weights-static.onnx');

describe('setGraphDims', () => {
  it('makes the static CenterFace stand-in accept other input sizes', async () => {
    const bytes = new Uint8Array(readFileSync(staticModel));
    const input = new ort.Tensor('float32', new Float32Array(3 * 64 * 96), [1, 3, 64, 96]);
    const fixed = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    await expect(fixed.run({ 'input.1': input })).rejects.toThrow();
    const dynamic = setGraphDims(bytes, {
      'input.1': ['B', 3, 'H', 'W'],
      '537': ['B', 1, 'h', 'w'],
      '538': ['B', 2, 'h', 'w'],
      '539': ['B', 2, 'h', 'w'],
      '540': ['B', 10, 'h', 'w'],
    });
    const session = await ort.InferenceSession.create(dynamic, { logSeverityLevel: 3 });
    const out = await session.run({ 'input.1': input });
    expect(out['537']!.dims).toEqual([1, 1, 16, 24]);
    expect(out['540']!.dims).toEqual([1, 10, 16, 24]);
  });

  it('names a missing graph input instead of silently doing nothing', () => {
    const bytes = new Uint8Array(readFileSync(staticModel));
    expect(() => setGraphDims(bytes, { nope: [1] })).toThrow(/nope/);
  });

  it('rejects bytes that are not a protobuf', () => {
    expect(() => setGraphDims(new TextEncoder().encode('hello, not a model'), { x: [1] })).toThrow(/ONNX|no graph input/);
  });
});
