import { existsSync } from 'node:fs';
import type { AnonymizeSettings } from '../anonymize/anonymize.js';
import { createScoreDrawer } from '../anonymize/labels.js';
import type { Detector, FrameKind } from '../detect/detector.js';
import { CANDIDATE_FLOOR } from '../detect/fusion.js';
import { VIDEO_LARGE_FACE, type LargeFaceRule } from '../detect/large-face.js';
import type { DetectPlan, PassSpec } from '../detect/multi-pass.js';
import { createThreadedDetector } from '../detect/threaded-detector.js';
import { usageError } from '../errors.js';
import { findModel } from '../models/manifest.js';
import { isInstalled, locateModel } from '../models/install.js';
import type { FileOptions, SharedOptions } from '../options.js';
import type { ProjectSettings } from '../project/schema.js';
import type { Log } from '../ui/log.js';
import { LOW_CONFIDENCE_MARGIN } from './face-stats.js';
import { createFrameProcessor, type FrameProcessor } from './frame-processor.js';

// What files and live capture share: the detector, its passes and thresholds, and the masks.

/**
 * Thresholds, score rules and mask margins, chosen on the even half of WIDER FACE val and checked on
 * the odd half (see docs/accuracy.md). The ensembles' scores combine their passes
 * (noisy-or: agreeing passes raise a face's score), so their thresholds sit higher than one pass's.
 */
const MODE = {
  /** Video frames, and every frame with --single-pass. */
  motion: { threshold: 0.3, margin: 10, rule: 'max' as const, ensemble: false },
  /** Photos. */
  still: { threshold: 0.65, margin: 10, rule: 'noisy-or' as const, ensemble: true },
  /** --thorough, for photos and video alike. */
  thorough: { threshold: 0.6, margin: 16, rule: 'noisy-or' as const, ensemble: true },
};

type Mode = (typeof MODE)[keyof typeof MODE];

/**
 * --thorough adds SCRFD-1G at full size when the user has installed it (its weights are for
 * non-commercial research only, so never by default): on WIDER FACE val it raised the even half's
 * coverage recall from .983/.969 to .984/.977 (medium/hard) at 5.1% spill instead of 5.0%, and the odd
 * half's hard from .978 to .979 (docs/accuracy.md).
 */
const THOROUGH_OPT_IN = 'scrfd';

/** The ensemble was tuned on photos 1024 px wide; smaller frames are detected as if upscaled to that size. */
const ENSEMBLE_SIDE = 1024;

/**
 * What a run detects in: files with photos among them, files that are all videos, or live capture.
 * Only the first needs the photo plan (and YuNet-n's session, 40 ms and some memory to open).
 */
type Use = 'files' | 'videos' | 'live';

function modeOf(o: SharedOptions, kind: FrameKind): Mode {
  if (o.thorough) return MODE.thorough;
  return kind === 'still' && !o.singlePass ? MODE.still : MODE.motion;
}

/** Options that contradict each other: one line and exit 2, before anything is loaded. */
export function checkSharedContradictions(o: SharedOptions): void {
  if (o.model && o.detector.length > 1) throw usageError('--model replaces one detector; give a single --detector with it');
  if (o.model && !existsSync(o.model)) throw usageError(`--model: no such file ${o.model}`);
  const speeds = (['singlePass', 'fast', 'thorough'] as const).filter((k) => o[k]).map((k) => `--${k === 'singlePass' ? 'single-pass' : k}`);
  if (speeds.length > 1) throw usageError(`${speeds.join(' and ')} contradict each other; choose one`);
}

/**
 * Each model's file, located and checked (sha256) once per run, however many passes and plans use it.
 * `--model` replaces the detector's file.
 */
function modelPaths(o: SharedOptions): (name: string) => Promise<string> {
  const paths = new Map<string, Promise<string>>();
  return (name) => {
    let p = paths.get(name);
    if (!p) {
      const entry = findModel(name);
      // `models install` shows a gated model's terms; a file of one's own through --model skips it, so say them here.
      if (o.model && entry?.licenseGate) process.stderr.write(`faceblur: warning: ${entry.name} through --model: ${entry.licenseGate.terms}\n`);
      p = o.model ? Promise.resolve(o.model) : entry ? locateModel(entry) : Promise.reject(usageError(`--detector: unknown model ${name}`));
      paths.set(name, p);
    }
    return p;
  };
}

/**
 * The detection passes of a mode.
 * - motion: each model at full and half detection size (half finds the large faces that YuNet's
 *   largest stride misses), plus 2x on small frames. The tracker bridges what one frame misses.
 *   --fast gives the finer passes one half of the frame per frame, in turn (PassSpec.halves).
 * - still: an ensemble of YuNet-s at 1, 1/2 and 1/3 size (for faces that fill the frame) and YuNet-n
 *   at 1, 3/4 and 1/2. Each scale and model misses different faces; fused, they leave about half of
 *   what the two motion passes leave. thorough adds YuNet-s at 3/4 and 2x, and SCRFD-1G at full size
 *   when it is installed (THOROUGH_OPT_IN).
 */
/**
 * The models a mode's passes run, in order: the named detectors; for the photo ensembles by
 * default, YuNet-s and YuNet-n, and with --thorough SCRFD-1G too when the user installed it.
 */
export function modelsOf(o: SharedOptions, kind: FrameKind): string[] {
  const mode = modeOf(o, kind);
  if (o.singlePass || !mode.ensemble) return o.detector;
  const byDefault = o.detector.length === 1 && o.detector[0] === 'yunet' && !o.model;
  if (!byDefault) return o.detector;
  const optIn = findModel(THOROUGH_OPT_IN);
  return ['yunet', 'yunet-n', ...(mode === MODE.thorough && optIn && isInstalled(optIn) ? [THOROUGH_OPT_IN] : [])];
}

async function planPasses(o: SharedOptions, mode: Mode, kind: FrameKind, use: Use, pathOf: (name: string) => Promise<string>): Promise<PassSpec[]> {
  const names = o.detector;
  const pass = async (name: string, factor: number, extra: Pick<PassSpec, 'maxWidth' | 'halves'> = {}): Promise<PassSpec> => ({
    family: findModel(name)?.family ?? 'yunet',
    modelPath: await pathOf(name),
    factor,
    ...extra,
  });
  if (o.singlePass) return Promise.all(names.map((n) => pass(n, 1)));
  if (mode.ensemble) {
    const models = modelsOf(o, kind);
    const first = mode === MODE.thorough ? [1, 0.75, 0.5, 1 / 3, 2] : [1, 0.5, 1 / 3];
    // SCRFD joined by --thorough (not named) runs at full size only, as it was measured.
    const scales = (n: string, i: number) => (i === 0 ? first : n === THOROUGH_OPT_IN && !names.includes(n) ? [1] : [1, 0.75, 0.5]);
    const specs = models.flatMap((n, i) => scales(n, i).map((f) => pass(n, f)));
    return Promise.all(specs);
  }
  // Small frames (up to 960 px wide, such as 480p video) also get a 2x pass: their background faces
  // are below YuNet's smallest stride, and the upscaled pass costs no more than one full-HD pass.
  // Live capture leaves it out: it would cost 4x the full pass, which a live frame's latency budget
  // cannot pay, for faces below 20 px that a camera at arm's length seldom shows.
  const specs = names.flatMap((n) => [pass(n, 1, { halves: o.fast }), pass(n, 0.5)]);
  if (use !== 'live') specs.push(pass(names[0]!, 2, { maxWidth: 960, halves: o.fast }));
  return Promise.all(specs);
}

/**
 * onnxruntime's intra-op threads for a run whose videos are encoded beside detection, when --threads
 * is left at 0: a quarter of the cores, at least one. onnxruntime alone would take every core, and
 * x264 already takes 1.5 threads per core; on 2 cores the two pools together spent 6% more CPU per
 * 720p frame than with one detector thread (156 against 146 CPU-ms, medians of three interleaved
 * runs; docs/speed.md), for no gain in wall time. Photos and analyze, with no encoder beside the
 * detector, keep onnxruntime's own choice.
 */
export const encodingDetectorThreads = (cores: number): number => Math.max(1, Math.floor(cores / 4));

/**
 * The photo ensembles' threshold for detectors named instead of the default pair. Each family scores
 * faces on its own scale, and noisy-or over one model's scales leaves many faces under 0.65, which
 * was tuned for YuNet-s with YuNet-n (a trial: `--detector scrfd` covered 0.44 of a crowd's faces
 * where the default covered 0.82). Per family, the lowest threshold measured whose spill stays under
 * the default's, on every fourth WIDER val photo (docs/accuracy.md, "Other detectors on photos").
 */
const ENSEMBLE_FAMILY_THRESHOLD: Readonly<Record<string, number>> = { 'yunet-n': 0.4, scrfd: 0.3, retinaface: 0.3 };

/**
 * The detection score threshold for a kind of frame: --thresh, else the mode's default; for a photo
 * ensemble of one named model, its ENSEMBLE_FAMILY_THRESHOLD. Several models fused keep the mode's:
 * their agreement raises a face's noisy-or score (`yunet,retinaface,scrfd` covered 0.985/0.978/0.923
 * at 0.65 with 2.81% spill, and spilled 5.46% at 0.4).
 */
export function thresholdOf(o: SharedOptions, kind: FrameKind): number {
  if (o.thresh !== undefined) return o.thresh;
  const mode = modeOf(o, kind);
  const models = modelsOf(o, kind);
  if (!mode.ensemble || models.length !== 1) return mode.threshold;
  return Math.min(mode.threshold, ENSEMBLE_FAMILY_THRESHOLD[models[0]!] ?? mode.threshold);
}

/**
 * The higher threshold for large boxes (VIDEO_LARGE_FACE) that video files' single-model plan
 * applies by default; an explicit --thresh is one threshold for every size, and the ensembles'
 * noisy-or thresholds already sit above it. Not live capture: a file's look-ahead back-fills a face
 * over the frames before its first sure detection, while a live frame's masks are final at once
 * (the cam test saw a 56 px face at 0.3–0.5 left visible in a preview frame).
 */
export const largeFaceOf = (o: SharedOptions, kind: FrameKind, live = false): LargeFaceRule | undefined =>
  !live && o.thresh === undefined && kind === 'motion' && modeOf(o, kind) === MODE.motion ? VIDEO_LARGE_FACE : undefined;

export async function openDetector(o: SharedOptions, log: Log, use: Use): Promise<Detector> {
  const pathOf = modelPaths(o);
  const plan = async (kind: FrameKind): Promise<DetectPlan> => {
    const mode = modeOf(o, kind);
    const passes = await planPasses(o, mode, kind, use, pathOf);
    // Live frames skip the upscaling: on 640x480 it alone would take --thorough from 12 to 4 fps.
    const upscale = mode.ensemble && use !== 'live';
    const threshold = thresholdOf(o, kind);
    // --draw-scores also shows the near misses, as far below the threshold as the summary's low-confidence margin reaches above it.
    const keepFrom = o.drawScores ? Math.max(CANDIDATE_FLOOR, threshold - LOW_CONFIDENCE_MARGIN) : undefined;
    return { passes, threshold, rule: mode.rule, ...(upscale ? { upscaleTo: ENSEMBLE_SIDE } : {}), ...(keepFrom === undefined ? {} : { keepFrom }) };
  };
  // Its weights are for non-commercial research only: a run that uses them says so (a trial's --thorough used SCRFD without a word).
  if (!o.detector.includes(THOROUGH_OPT_IN) && modelsOf(o, 'motion').includes(THOROUGH_OPT_IN)) {
    log.info(`--thorough: ${THOROUGH_OPT_IN} joins the passes, as it is installed (its weights are for non-commercial research only)`);
  }
  const motion = await plan('motion');
  const detector = await createThreadedDetector({
    plans: { motion, still: use === 'files' ? await plan('still') : motion },
    size: o.scale ?? {},
    provider: o.executionProvider,
    threads: o.threads,
    notice: (l) => log.warn(l),
  });
  log.verbose(`detector on ${detector.provider}, passes (model@size) for ${detector.name}`);
  return detector;
}


/** The large-face rule a video of this run is held to, as projects and reports record it. */
export const largeFaceSetting = (o: SharedOptions): { largeFace?: LargeFaceRule } => {
  const rule = largeFaceOf(o, 'motion');
  return rule ? { largeFace: { ...rule, ...(rule.outsized ? { outsized: rule.outsized.map((t) => ({ ...t })) } : {}) } } : {};
};

/** The detection and tracking settings of a run, as a project records them (its threshold depends on the input's kind). */
export function projectSettingsOf(o: SharedOptions & Pick<FileOptions, 'lookahead'>, candidateFloor: number): Omit<ProjectSettings, 'threshold'> {
  const passes = o.singlePass ? 'single-pass' : o.fast ? 'fast' : o.thorough ? 'thorough' : 'default';
  return {
    candidateFloor,
    ...largeFaceSetting(o),
    detector: o.model ? [`${o.detector[0]}:${o.model}`] : o.detector,
    passes,
    ...(o.scale ? { scale: `${o.scale.width ?? ''}x${o.scale.height ?? ''}` } : {}),
    detectEvery: o.detectEvery,
    tracking: o.tracking ? { hold: o.hold, lookahead: o.lookahead, smooth: o.smooth } : null,
  };
}

/**
 * The settings a --report records: how faces were found (the run's, or the project's it rendered
 * from) and how they were masked. Margins and thresholds differ between videos and photos.
 */
export function reportSettingsOf(o: FileOptions, project: ProjectSettings | undefined): Record<string, unknown> {
  const { maskMargin: _, ...mask } = anonymizeSettingsOf(o, 'motion');
  const detection = project
    ? { fromProject: o.project, ...project }
    : { threshold: { video: thresholdOf(o, 'motion'), photo: thresholdOf(o, 'still') }, models: { video: modelsOf(o, 'motion'), photo: modelsOf(o, 'still') }, ...projectSettingsOf(o, CANDIDATE_FLOOR) };
  const { candidateFloor: __, ...used } = detection as Partial<ProjectSettings>;
  return {
    detection: used,
    mask: { ...mask, maskMargin: { video: anonymizeSettingsOf(o, 'motion').maskMargin, photo: anonymizeSettingsOf(o, 'still').maskMargin } },
  };
}

export function anonymizeSettingsOf(o: SharedOptions, kind: FrameKind): AnonymizeSettings {
  return {
    replaceWith: o.replacewith,
    region: o.region,
    shape: o.boxes ? 'box' : 'ellipse',
    maskScale: o.maskScale,
    maskMargin: o.maskMargin ?? modeOf(o, kind).margin,
    mosaicSize: o.mosaicSize,
    color: o.color,
  };
}

/**
 * Rendering from a project detects nothing, so it loads no model: this detector only says so if a
 * code path ever asks it to detect.
 */
const NO_DETECTOR: Detector = {
  name: 'none (regions from the project)',
  provider: 'cpu',
  detect: () => Promise.reject(new Error('rendering from a project does not detect')),
  dispose: () => Promise.resolve(),
};

/**
 * The detector and a frame processor for each kind of frame; dispose the detector when done.
 * `use` 'project' opens no detector (see NO_DETECTOR).
 */
export async function openFrameProcessors(o: SharedOptions, log: Log, use: Use | 'project'): Promise<{ detector: Detector; processors: Record<FrameKind, FrameProcessor> }> {
  const detector = use === 'project' ? NO_DETECTOR : await openDetector(o, log, use);
  const draw = o.drawScores ? await createScoreDrawer() : undefined;
  const processorFor = (kind: FrameKind) => createFrameProcessor(detector, kind, anonymizeSettingsOf(o, kind), draw, thresholdOf(o, kind), largeFaceOf(o, kind, use === 'live'));
  return { detector, processors: { motion: processorFor('motion'), still: processorFor('still') } };
}
