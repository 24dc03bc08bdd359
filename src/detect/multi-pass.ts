import type { Frame } from '../media/frame.js';
import type { ModelFamily } from '../models/manifest.js';
import type { Detection } from './box.js';
import { createDetector, detectionSize, openModelSession, type Detector, type DetectSize, type FrameKind } from './detector.js';
import { CANDIDATE_FLOOR, fuseDetections, type ScoreRule } from './fusion.js';
import { nms } from './nms.js';
import { InputBuffers } from './input-tensor.js';
import type { Session, SessionConfig } from './session.js';
import { cropFrame, fromTile, halvesFor, MAX_TILE_SIDE, tilesFor, type Rect } from './tiles.js';

/** One detection pass: a model and a scale relative to the detection size. */
export interface PassSpec {
  family: ModelFamily;
  modelPath: string;
  factor: number;
  /** Run only on frames at most this wide: upscaling pays off on small sources only, not after --scale. */
  maxWidth?: number;
  /**
   * Video: look at one half of the frame per frame, in turn (halvesFor), so that each part is seen at
   * this scale every other frame for half the cost. Only for passes finer than a whole-frame pass of
   * the same plan, which finds the faces too large for the halves' overlap; the tracker carries a
   * small face through the frame its half is not looked at.
   */
  halves?: boolean;
}

/** The passes run on one kind of frame, and how their scores combine into the one that is thresholded. */
export interface DetectPlan {
  passes: PassSpec[];
  threshold: number;
  rule: ScoreRule;
  /**
   * Frames whose longer side is shorter are detected as if scaled up to it, so that the plan sees the
   * faces of a small photo at the sizes it was tuned for (an ensemble tuned on 1024 px photos loses a
   * third of the hard faces of the same photos at 512 px). The longer side, so that a tall, narrow
   * picture is not blown up past any useful size. Ignored with an explicit --scale.
   */
  upscaleTo?: number;
  /**
   * Also return detections from this score up, below `threshold` (--draw-scores shows them as what a
   * lower threshold would add); the caller then keeps only those at or above `threshold`.
   */
  keepFrom?: number;
}

/** Upscaling in quarter steps, so that a batch of odd photo sizes needs few distinct detectors. */
function upscaleOf(plan: DetectPlan, frame: Frame): number {
  const side = Math.max(frame.width, frame.height);
  return plan.upscaleTo && side < plan.upscaleTo ? Math.ceil((4 * plan.upscaleTo) / side) / 4 : 1;
}

export interface MultiPassConfig extends SessionConfig {
  plans: Record<FrameKind, DetectPlan>;
  size: DetectSize;
}

/** Duplicates of one face from two overlapping tiles. */
const TILE_NMS_IOU = 0.3;

/** Tiles for one pass over the frame, when its detector input would be too large to hold at once. */
function passTiles(frame: Frame, size: DetectSize, explicit: boolean): Rect[] | undefined {
  // An explicit --scale is the user's choice of detector input and is never tiled.
  if (explicit) return undefined;
  const d = detectionSize(frame.width, frame.height, size);
  return tilesFor(frame.width, frame.height, d.width, d.height);
}

/**
 * The part of the frame a halves pass looks at on this turn, and the detection size that keeps the
 * whole frame's scale for it: a factor carries over to a crop, an explicit --scale size does not.
 */
function halfOf(frame: Frame, size: DetectSize, explicit: boolean, turn: number): { tiles: Rect[]; size: DetectSize } {
  const d = detectionSize(frame.width, frame.height, size);
  const halves = halvesFor(frame.width, frame.height, d.width, d.height);
  const tiles = halves[turn % halves.length]!;
  const t = tiles[0]!;
  const scaled = { width: Math.round((t.width * d.width) / frame.width), height: Math.round((t.height * d.height) / frame.height) };
  return { tiles, size: explicit ? scaled : size };
}

async function detectPass(det: Detector, frame: Frame, tiles: Rect[] | undefined): Promise<Detection[]> {
  if (!tiles) return det.detect(frame);
  const found: Detection[] = [];
  for (const t of tiles) for (const x of await det.detect(cropFrame(frame, t))) found.push(fromTile(x, t));
  return nms(found, TILE_NMS_IOU);
}

/**
 * Runs every pass of the frame kind's plan and fuses the results (see fuseDetections). All passes of a
 * model, in every plan, share one onnxruntime session and so one memory arena. When even the coarsest
 * pass had to be tiled (frames past about 3K), one more pass sees the whole frame scaled down, so that
 * a large face cut by every tile border is still found whole.
 */
export async function createMultiPassDetector(cfg: MultiPassConfig): Promise<Detector> {
  const models = new Map<string, Promise<{ session: Session; buffers: InputBuffers }>>();
  const detectors = new Map<string, Promise<Detector>>();
  const plans = Object.values(cfg.plans);
  // Each detector serves every plan, so it keeps what the least demanding one needs; plans filter after.
  const floor = Math.min(CANDIDATE_FLOOR, ...plans.map((p) => p.threshold));
  const sizeOf = (factor: number): DetectSize => ({ ...cfg.size, factor: (cfg.size.factor ?? 1) * factor });
  const modelOf = (p: Pick<PassSpec, 'family' | 'modelPath'>) => {
    const key = `${p.family}:${p.modelPath}`;
    let m = models.get(key);
    if (!m) {
      m = openModelSession({ ...cfg, family: p.family, modelPath: p.modelPath }).then((session) => ({ session, buffers: new InputBuffers() }));
      models.set(key, m);
    }
    return m;
  };
  const detectorFor = (p: Pick<PassSpec, 'family' | 'modelPath'>, size: DetectSize): Promise<Detector> => {
    const key = `${p.family}:${p.modelPath}@${size.width ?? ''}x${size.height ?? ''}*${size.factor ?? 1}`;
    let d = detectors.get(key);
    if (!d) {
      d = modelOf(p).then((model) => createDetector({ ...cfg, family: p.family, modelPath: p.modelPath, threshold: floor, size }, model));
      detectors.set(key, d);
    }
    return d;
  };
  const disposeAll = async () => {
    const all = await Promise.allSettled(models.values());
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.session.dispose() : undefined)));
  };
  // Every configured pass is set up front, so that a bad model fails before any file is touched.
  let first: Detector;
  try {
    [first] = await Promise.all(plans.flatMap((plan) => plan.passes).map((p) => detectorFor(p, sizeOf(p.factor))));
  } catch (err) {
    await disposeAll();
    throw err;
  }
  const explicit = Boolean(cfg.size.width || cfg.size.height);
  // Frames of each kind detected so far: halves passes take turns by it (callers detect in stream order).
  const turns: Record<FrameKind, number> = { still: 0, motion: 0 };
  const describe = (plan: DetectPlan) =>
    plan.passes.map((p) => `${p.modelPath.split(/[\\/]/).pop()}@${Number(p.factor.toFixed(2))}${p.halves ? ' (halves in turn)' : ''}`).join(',');
  return {
    // A run without photos shares one plan for both kinds (the worker's structured clone keeps that identity).
    name: Object.entries(cfg.plans)
      .filter(([kind, plan]) => kind === 'motion' || plan !== cfg.plans.motion)
      .map(([kind, plan]) => `${kind}: ${describe(plan)}`)
      .join('; '),
    provider: first!.provider,
    async detect(frame, kind = 'motion') {
      const plan = cfg.plans[kind];
      const results: Detection[][] = [];
      const up = explicit ? 1 : upscaleOf(plan, frame);
      const turn = turns[kind]++;
      for (const p of plan.passes) {
        if (p.maxWidth !== undefined && (frame.width > p.maxWidth || explicit)) continue;
        const size = sizeOf(p.factor * up);
        const part = p.halves ? halfOf(frame, size, explicit, turn) : { tiles: passTiles(frame, size, explicit), size };
        results.push(await detectPass(await detectorFor(p, part.size), frame, part.tiles));
      }
      const coarsest = up * Math.min(...plan.passes.map((p) => p.factor));
      if (passTiles(frame, sizeOf(coarsest), explicit)) {
        // Halving keeps the number of distinct detectors small across a batch of odd photo sizes.
        let factor = coarsest / 2;
        while (Math.max(frame.width, frame.height) * factor > MAX_TILE_SIDE) factor /= 2;
        const p0 = plan.passes[0]!;
        results.push(await (await detectorFor(p0, sizeOf(factor))).detect(frame));
      }
      const found = results.length === 1 ? results[0]! : fuseDetections(results, 0.4, plan.rule);
      return found.filter((d) => d.score >= Math.min(plan.threshold, plan.keepFrom ?? plan.threshold));
    },
    dispose: disposeAll,
  };
}
