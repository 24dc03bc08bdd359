import { existsSync } from 'node:fs';
import type { AnonymizeSettings } from '../anonymize/anonymize.js';
import type { Detector } from '../detect/detector.js';
import type { PassSpec } from '../detect/multi-pass.js';
import { createThreadedDetector } from '../detect/threaded-detector.js';
import { usageError } from '../errors.js';
import { findModel } from '../models/manifest.js';
import { locateModel } from '../models/install.js';
import type { SharedOptions } from '../options.js';
import type { Log } from '../ui/log.js';
import { createFrameProcessor, type FrameProcessor } from './frame-processor.js';

// What files and live capture share: the detector, its passes and thresholds, and the masks.

const MODE = {
  // Chosen on half of WIDER FACE val and checked on the other half: see the README's accuracy table.
  default: { threshold: 0.3, margin: 10, rule: 'max' as const },
  thorough: { threshold: 0.6, margin: 24, rule: 'noisy-or' as const },
};

const modeOf = (o: SharedOptions) => (o.thorough ? MODE.thorough : MODE.default);

/** Options that contradict each other: one line and exit 2, before anything is loaded. */
export function checkSharedContradictions(o: SharedOptions): void {
  if (o.model && o.detector.length > 1) throw usageError('--model replaces one detector; give a single --detector with it');
  if (o.model && !existsSync(o.model)) throw usageError(`--model: no such file ${o.model}`);
  if (o.singlePass && o.thorough) throw usageError('--single-pass and --thorough contradict each other; choose one');
}

async function modelPath(name: string): Promise<string> {
  const entry = findModel(name);
  if (!entry) throw usageError(`--detector: unknown model ${name}`);
  return locateModel(entry);
}

/**
 * The detection passes: each model at full and half detection size (half finds the large faces that
 * YuNet's largest stride misses), plus 2x on small frames; --thorough adds a 2x pass at any size,
 * a mirrored pass, and YuNet-n beside YuNet-s.
 */
async function planPasses(o: SharedOptions, live: boolean): Promise<PassSpec[]> {
  const names = o.thorough && o.detector.length === 1 && o.detector[0] === 'yunet' ? ['yunet', 'yunet-n'] : o.detector;
  const passes: PassSpec[] = [];
  for (const [i, name] of names.entries()) {
    const family = name === 'centerface' ? 'centerface' : 'yunet';
    const path = o.model ?? (await modelPath(name));
    const factors = o.singlePass ? [1] : !o.thorough ? [1, 0.5] : i === 0 ? [1, 0.5, 2] : [1];
    for (const factor of factors) passes.push({ family, modelPath: path, factor, flip: false });
    // Small frames (up to 960 px wide, such as 480p video) also get a 2x pass: their background faces
    // are below YuNet's smallest stride, and the upscaled pass costs no more than one full-HD pass.
    // Live capture leaves it out by default: it would cost 4x the full pass, which a live frame's
    // latency budget cannot pay, for faces below 20 px that a camera at arm's length seldom shows.
    if (!o.singlePass && !o.thorough && !live && i === 0) passes.push({ family, modelPath: path, factor: 2, flip: false, maxWidth: 960 });
    if (o.thorough && i === 0) passes.push({ family, modelPath: path, factor: 1, flip: true });
  }
  return passes;
}

export async function openDetector(o: SharedOptions, log: Log, live: boolean): Promise<Detector> {
  const mode = modeOf(o);
  const passes = await planPasses(o, live);
  const threshold = o.thresh ?? mode.threshold;
  const detector = await createThreadedDetector({
    passes,
    threshold,
    rule: mode.rule,
    size: o.scale ?? {},
    provider: o.executionProvider,
    threads: o.threads,
    notice: (l) => log.warn(l),
  });
  log.verbose(`detector: ${detector.name} on ${detector.provider}, threshold ${threshold}; models: ${[...new Set(passes.map((p) => p.modelPath))].join(', ')}`);
  return detector;
}

export function anonymizeSettingsOf(o: SharedOptions): AnonymizeSettings {
  return {
    replaceWith: o.replacewith,
    region: o.region,
    shape: o.boxes ? 'box' : 'ellipse',
    maskScale: o.maskScale,
    maskMargin: o.maskMargin ?? modeOf(o).margin,
    mosaicSize: o.mosaicSize,
    color: o.color,
  };
}

/** The detector and the frame processor built on it; dispose the detector when done. */
export async function openFrameProcessor(o: SharedOptions, log: Log, live = false): Promise<{ detector: Detector; processFrame: FrameProcessor }> {
  const detector = await openDetector(o, log, live);
  return { detector, processFrame: createFrameProcessor(detector, anonymizeSettingsOf(o), o.drawScores) };
}
