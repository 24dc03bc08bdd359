import { readFile } from 'node:fs/promises';
// First: onnxruntime must see it before it starts.
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { usageError } from '../errors.js';
import type { Frame } from '../media/frame.js';
import type { ModelFamily } from '../models/manifest.js';
import { rescaleDetection, type Detection } from './box.js';
import { CENTERFACE_OUTPUTS, decodeCenterFace } from './centerface.js';
import { createTensorFiller, InputBuffers, tensorGeometry, type ChannelOrder, type Filled, type Normalization, type TensorFiller, type TensorGeometry } from './input-tensor.js';
import { nms } from './nms.js';
import { decodeRetinaFace } from './retinaface.js';
import { decodeScrfd } from './scrfd.js';
import { createSession, type Session, type SessionConfig } from './session.js';
import { decodeYunet } from './yunet.js';

/**
 * Requested detection size: a missing side follows the frame's aspect ratio, none means full
 * resolution; `factor` then scales the result (multi-scale passes use 0.5, 2, …).
 */
export interface DetectSize {
  width?: number | undefined;
  height?: number | undefined;
  factor?: number | undefined;
}

export interface DetectorConfig extends SessionConfig {
  family: ModelFamily;
  modelPath: string;
  threshold: number;
  size: DetectSize;
}

/**
 * Photos are detected with more passes than video frames: a photo is seen once, while a video's
 * tracker recovers a face one frame missed from its neighbours, and each pass costs every frame.
 */
export type FrameKind = 'still' | 'motion';

export interface Detector {
  readonly name: string;
  readonly provider: 'cpu' | 'cuda';
  /** `kind` picks the plan of a multi-pass detector (motion when absent); a single detector has one. */
  detect(frame: Frame, kind?: FrameKind): Promise<Detection[]>;
  dispose(): Promise<void>;
}

function baseSize(frameWidth: number, frameHeight: number, size: DetectSize): { width: number; height: number } {
  const { width, height } = size;
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(1, Math.round((width * frameHeight) / frameWidth)) };
  if (height) return { width: Math.max(1, Math.round((height * frameWidth) / frameHeight)), height };
  return { width: frameWidth, height: frameHeight };
}

export function detectionSize(frameWidth: number, frameHeight: number, size: DetectSize): { width: number; height: number } {
  const base = baseSize(frameWidth, frameHeight, size);
  const f = size.factor ?? 1;
  return { width: Math.max(1, Math.round(base.width * f)), height: Math.max(1, Math.round(base.height * f)) };
}

interface Family {
  order: ChannelOrder;
  norm?: Normalization;
  /** IoU at which one model's duplicate boxes merge: each family's upstream value. */
  nmsIou: number;
  decode(outputs: Record<string, ort.Tensor>, geo: TensorGeometry, threshold: number): Detection[];
}

const data = (t: ort.Tensor | undefined): Float32Array => {
  if (!t || !(t.data instanceof Float32Array)) throw new Error('the model returned an unexpected output type');
  return t.data;
};

const FAMILIES: Record<ModelFamily, Family> = {
  yunet: {
    order: 'bgr',
    nmsIou: 0.3,
    decode: (out, geo, threshold) =>
      decodeYunet(
        Object.fromEntries(Object.entries(out).map(([k, v]) => [k, data(v)])),
        geo.paddedWidth,
        geo.paddedHeight,
        threshold,
      ),
  },
  centerface: {
    order: 'rgb',
    nmsIou: 0.3,
    decode: (out, geo, threshold) =>
      decodeCenterFace(
        {
          heatmap: data(out[CENTERFACE_OUTPUTS.heatmap]),
          scale: data(out[CENTERFACE_OUTPUTS.scale]),
          offset: data(out[CENTERFACE_OUTPUTS.offset]),
          landmarks: data(out[CENTERFACE_OUTPUTS.landmarks]),
        },
        geo.paddedWidth,
        geo.paddedHeight,
        threshold,
      ),
  },
  retinaface: {
    // biubug6/Pytorch_Retinaface detect.py: BGR minus the (104, 117, 123) means, no scaling.
    order: 'bgr',
    norm: { mean: [104, 117, 123], scale: 1, padding: 'mean' },
    nmsIou: 0.4,
    decode: (out, geo, threshold) =>
      decodeRetinaFace(
        { loc: data(out.output0), conf: data(out.output1), landmarks: data(out.output2) },
        geo.paddedWidth,
        geo.paddedHeight,
        threshold,
      ),
  },
  scrfd: {
    // insightface scrfd.py: RGB, (pixel − 127.5) / 128, padded bottom/right with pixel 0.
    order: 'rgb',
    norm: { mean: [127.5, 127.5, 127.5], scale: 1 / 128, padding: 'pixel-zero' },
    nmsIou: 0.4,
    decode: (out, geo, threshold) =>
      decodeScrfd(
        Object.values(out).map((t) => ({ dims: t.dims, data: data(t) })),
        geo.paddedWidth,
        geo.paddedHeight,
        threshold,
      ),
  },
};

async function loadModel(family: ModelFamily, path: string): Promise<Uint8Array | string> {
  if (family !== 'centerface') return path;
  // CenterFace is published with a fixed [10,3,32,32] input; declare every size dynamic. The ONNX
  // schema module (about 60 ms to load) is imported only here, not at every start of the CLI.
  const { setGraphDims } = await import('./onnx-dims.js');
  const bytes = new Uint8Array(await readFile(path));
  return setGraphDims(bytes, {
    'input.1': ['B', 3, 'H', 'W'],
    [CENTERFACE_OUTPUTS.heatmap]: ['B', 1, 'h', 'w'],
    [CENTERFACE_OUTPUTS.scale]: ['B', 2, 'h', 'w'],
    [CENTERFACE_OUTPUTS.offset]: ['B', 2, 'h', 'w'],
    [CENTERFACE_OUTPUTS.landmarks]: ['B', 10, 'h', 'w'],
  });
}

/** The outputs each family's decoder reads, by name; SCRFD's are read by position (6, or 9 with landmarks). */
const OUTPUTS: Record<ModelFamily, readonly string[] | ((names: readonly string[]) => boolean)> = {
  yunet: [8, 16, 32].flatMap((s) => ['cls', 'obj', 'bbox', 'kps'].map((k) => `${k}_${s}`)),
  centerface: Object.values(CENTERFACE_OUTPUTS),
  retinaface: ['output0', 'output1', 'output2'],
  scrfd: (names) => names.length === 6 || names.length === 9,
};

/**
 * Why a session cannot serve as a model of `family`, or undefined: outputs that are not the
 * family's (a RetinaFace file given as YuNet's --model failed every file with "YuNet output for
 * stride 8 is missing", a trial), or a fixed input size (OpenCV's yunet_n_640_640.onnx failed with
 * onnxruntime's "Got invalid dimensions").
 */
export function modelMismatch(family: ModelFamily, session: Pick<Session, 'outputNames' | 'inputShape'>): string | undefined {
  const want = OUTPUTS[family];
  const fits = typeof want === 'function' ? want(session.outputNames) : want.every((n) => session.outputNames.includes(n));
  if (!fits) return `it is not a ${family} model: its outputs are ${session.outputNames.join(', ')}${typeof want === 'function' ? '' : `, not ${family}'s ${want.join(', ')}`}`;
  const [h, w] = session.inputShape.slice(-2);
  if (typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0) return `its input has a fixed size of ${w}x${h}; faceblur needs a model of dynamic width and height (for YuNet: yunet_s_dynamic.onnx or yunet_n_dynamic.onnx)`;
  return undefined;
}

/**
 * One onnxruntime session of a model, which every pass of that model can share: its inputs are dynamic.
 * @throws UserError (exit 2) when onnxruntime cannot load the file, or it does not fit the family (modelMismatch).
 */
export async function openModelSession(cfg: SessionConfig & { family: ModelFamily; modelPath: string }): Promise<Session> {
  let session: Session;
  try {
    session = await createSession(await loadModel(cfg.family, cfg.modelPath), cfg);
  } catch (err) {
    if (err instanceof Error && err.name === 'UserError') throw err;
    throw usageError(`cannot load model ${cfg.modelPath}: ${(err as Error).message.split('\n')[0]}`);
  }
  const mismatch = modelMismatch(cfg.family, session);
  if (mismatch) {
    await session.dispose();
    throw usageError(`model ${cfg.modelPath}: ${mismatch}`);
  }
  return session;
}

/**
 * A detector at one detection size. Given `shared`, it runs on that session and leaves disposing it
 * to its owner: passes of one model at several scales then share one session and so one memory
 * arena (its peak is the largest pass's, not the sum of all of them), and one set of input buffers.
 */
export async function createDetector(cfg: DetectorConfig, shared?: { session: Session; buffers: InputBuffers }): Promise<Detector> {
  const session = shared?.session ?? (await openModelSession(cfg));
  const buffers = shared?.buffers ?? new InputBuffers();
  const family = FAMILIES[cfg.family];
  const inputName = session.inputNames[0]!;
  // Per frame size: the geometry and the filler, built once, so that no frame recomputes them.
  let shape: { key: string; geo: TensorGeometry; fill: TensorFiller } | undefined;
  return {
    name: cfg.family,
    provider: session.provider,
    async detect(frame) {
      const key = `${frame.width}x${frame.height}`;
      if (shape?.key !== key) {
        const size = detectionSize(frame.width, frame.height, cfg.size);
        const geo = tensorGeometry(size.width, size.height, 32);
        shape = { key, geo, fill: createTensorFiller(frame.width, frame.height, geo, family.order, family.norm) };
      }
      const { geo, fill } = shape;
      const length = 3 * geo.paddedWidth * geo.paddedHeight;
      const buffer = buffers.take(length);
      // What the buffer holds for the next pass, once the fill is complete (the model only reads it).
      let holds: Filled | undefined;
      try {
        const data = buffer.subarray(0, length);
        holds = fill(frame, data, buffers.contentOf(buffer));
        const input = new ort.Tensor('float32', data, [1, 3, geo.paddedHeight, geo.paddedWidth]);
        const outputs = await session.run({ [inputName]: input });
        const found = nms(family.decode(outputs, geo, cfg.threshold), family.nmsIou);
        const sx = frame.width / geo.width;
        const sy = frame.height / geo.height;
        return found.map((d) => rescaleDetection(d, sx, sy));
      } finally {
        buffers.give(buffer, holds);
      }
    },
    dispose: () => (shared ? Promise.resolve() : session.dispose()),
  };
}
