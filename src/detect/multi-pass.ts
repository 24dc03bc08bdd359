import type { Frame } from '../media/frame.js';
import type { ModelFamily } from '../models/manifest.js';
import type { Detection } from './box.js';
import { createDetector, detectionSize, openModelSession, type Detector, type DetectSize } from './detector.js';
import { fuseDetections, type ScoreRule } from './fusion.js';
import { nms } from './nms.js';
import type { Session, SessionConfig } from './session.js';
import { cropFrame, fromTile, MAX_TILE_SIDE, tilesFor, type Rect } from './tiles.js';

/** One detection pass: a model, a scale relative to the detection size, and whether to mirror the frame. */
export interface PassSpec {
  family: ModelFamily;
  modelPath: string;
  factor: number;
  flip: boolean;
  /** Run only on frames at most this wide: upscaling pays off on small sources only, not after --scale. */
  maxWidth?: number;
}

export interface MultiPassConfig extends SessionConfig {
  passes: PassSpec[];
  threshold: number;
  rule: ScoreRule;
  size: DetectSize;
}

/** Duplicates of one face from two overlapping tiles. */
const TILE_NMS_IOU = 0.3;

/** Candidates below this never count; they only refine the box of a face another pass is surer of. */
const CANDIDATE_FLOOR = 0.1;

function mirrored(frame: Frame): Frame {
  return {
    ...frame,
    planes: frame.planes.map((p) => {
      const data = new Uint8Array(p.data.length);
      for (let y = 0; y < p.height; y++) {
        const row = y * p.width;
        for (let x = 0; x < p.width; x++) data[row + x] = p.data[row + p.width - 1 - x]!;
      }
      return { ...p, data };
    }),
  };
}

function unmirror(d: Detection, width: number): Detection {
  const box = { x1: width - d.box.x2, y1: d.box.y1, x2: width - d.box.x1, y2: d.box.y2 };
  // Mirroring swaps left and right: right eye ↔ left eye, right ↔ left mouth corner.
  const lm = d.landmarks?.map((p) => ({ x: width - p.x, y: p.y }));
  return lm ? { score: d.score, box, landmarks: [lm[1]!, lm[0]!, lm[2]!, lm[4]!, lm[3]!] } : { score: d.score, box };
}

/** Tiles for one pass over the frame, when its detector input would be too large to hold at once. */
function passTiles(frame: Frame, size: DetectSize, explicit: boolean): Rect[] | undefined {
  // An explicit --scale is the user's choice of detector input and is never tiled.
  if (explicit) return undefined;
  const d = detectionSize(frame.width, frame.height, size);
  return tilesFor(frame.width, frame.height, d.width, d.height);
}

async function detectPass(det: Detector, frame: Frame, tiles: Rect[] | undefined): Promise<Detection[]> {
  if (!tiles) return det.detect(frame);
  const found: Detection[] = [];
  for (const t of tiles) for (const x of await det.detect(cropFrame(frame, t))) found.push(fromTile(x, t));
  return nms(found, TILE_NMS_IOU);
}

/**
 * Runs every pass on the frame and fuses the results (see fuseDetections). All passes of a model
 * share one onnxruntime session, and so one memory arena; a flipped pass costs one mirrored copy of
 * the frame. When even the coarsest pass had to be tiled (frames past about 3K), one more pass sees
 * the whole frame scaled down, so that a large face cut by every tile border is still found whole.
 */
export async function createMultiPassDetector(cfg: MultiPassConfig): Promise<Detector> {
  const models = new Map<string, Promise<Session>>();
  const detectors = new Map<string, Promise<Detector>>();
  const floor = Math.min(cfg.threshold, CANDIDATE_FLOOR);
  const sizeOf = (factor: number): DetectSize => ({ ...cfg.size, factor: (cfg.size.factor ?? 1) * factor });
  const modelOf = (p: Pick<PassSpec, 'family' | 'modelPath'>): Promise<Session> => {
    const key = `${p.family}:${p.modelPath}`;
    let m = models.get(key);
    if (!m) models.set(key, (m = openModelSession({ ...cfg, family: p.family, modelPath: p.modelPath })));
    return m;
  };
  const detectorFor = (p: Pick<PassSpec, 'family' | 'modelPath' | 'factor'>): Promise<Detector> => {
    const key = `${p.family}:${p.modelPath}@${p.factor}`;
    let d = detectors.get(key);
    if (!d) {
      const threshold = cfg.passes.length > 1 ? floor : cfg.threshold;
      d = modelOf(p).then((model) => createDetector({ ...cfg, family: p.family, modelPath: p.modelPath, threshold, size: sizeOf(p.factor) }, model));
      detectors.set(key, d);
    }
    return d;
  };
  const disposeAll = async () => {
    const all = await Promise.allSettled(models.values());
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
  };
  // Every configured pass is set up front, so that a bad model fails before any file is touched.
  let first: Detector;
  try {
    [first] = await Promise.all(cfg.passes.map(detectorFor));
  } catch (err) {
    await disposeAll();
    throw err;
  }
  const coarsest = Math.min(...cfg.passes.map((p) => p.factor));
  const explicit = Boolean(cfg.size.width || cfg.size.height);
  return {
    name: cfg.passes.map((p) => `${p.family}@${p.factor}${p.flip ? '+flip' : ''}`).join(','),
    provider: first!.provider,
    async detect(frame) {
      const results: Detection[][] = [];
      let flipped: Frame | undefined;
      for (const p of cfg.passes) {
        if (p.maxWidth !== undefined && (frame.width > p.maxWidth || explicit)) continue;
        const det = await detectorFor(p);
        const tiles = passTiles(frame, sizeOf(p.factor), explicit);
        if (!p.flip) results.push(await detectPass(det, frame, tiles));
        else {
          flipped ??= mirrored(frame);
          results.push((await detectPass(det, flipped, tiles)).map((d) => unmirror(d, frame.width)));
        }
      }
      if (passTiles(frame, sizeOf(coarsest), explicit)) {
        // Halving keeps the number of distinct detectors small across a batch of odd photo sizes.
        let factor = coarsest / 2;
        while (Math.max(frame.width, frame.height) * factor > MAX_TILE_SIDE) factor /= 2;
        const p0 = cfg.passes[0]!;
        results.push(await (await detectorFor({ family: p0.family, modelPath: p0.modelPath, factor })).detect(frame));
      }
      if (results.length === 1) return results[0]!;
      return fuseDetections(results, 0.4, cfg.rule).filter((d) => d.score >= cfg.threshold);
    },
    dispose: disposeAll,
  };
}
