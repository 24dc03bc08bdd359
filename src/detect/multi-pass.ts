import type { Frame } from '../media/frame.js';
import type { ModelFamily } from '../models/manifest.js';
import type { Detection } from './box.js';
import { createDetector, type Detector, type DetectSize } from './detector.js';
import { fuseDetections, type ScoreRule } from './fusion.js';
import type { SessionConfig } from './session.js';

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

/**
 * Runs every pass on the frame and fuses the results (see fuseDetections). Passes that share a
 * model and scale share one session; a flipped pass costs one mirrored copy of the frame.
 */
export async function createMultiPassDetector(cfg: MultiPassConfig): Promise<Detector> {
  const sessions = new Map<string, Detector>();
  const keyOf = (p: PassSpec) => `${p.family}:${p.modelPath}@${p.factor}`;
  const floor = Math.min(cfg.threshold, CANDIDATE_FLOOR);
  try {
    for (const p of cfg.passes) {
      if (sessions.has(keyOf(p))) continue;
      const size = { ...cfg.size, factor: (cfg.size.factor ?? 1) * p.factor };
      sessions.set(keyOf(p), await createDetector({ ...cfg, family: p.family, modelPath: p.modelPath, threshold: cfg.passes.length > 1 ? floor : cfg.threshold, size }));
    }
  } catch (err) {
    await Promise.all([...sessions.values()].map((d) => d.dispose()));
    throw err;
  }
  const first = sessions.values().next().value!;
  return {
    name: cfg.passes.map((p) => `${p.family}@${p.factor}${p.flip ? '+flip' : ''}`).join(','),
    provider: first.provider,
    async detect(frame) {
      const results: Detection[][] = [];
      let flipped: Frame | undefined;
      for (const p of cfg.passes) {
        if (p.maxWidth !== undefined && (frame.width > p.maxWidth || cfg.size.width || cfg.size.height)) continue;
        const det = sessions.get(keyOf(p))!;
        if (!p.flip) results.push(await det.detect(frame));
        else {
          flipped ??= mirrored(frame);
          results.push((await det.detect(flipped)).map((d) => unmirror(d, frame.width)));
        }
      }
      if (results.length === 1) return results[0]!;
      return fuseDetections(results, 0.4, cfg.rule).filter((d) => d.score >= cfg.threshold);
    },
    async dispose() {
      await Promise.all([...sessions.values()].map((d) => d.dispose()));
    },
  };
}
