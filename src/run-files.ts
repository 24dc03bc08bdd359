import { existsSync } from 'node:fs';
import type { Detector } from './detect/detector.js';
import type { PassSpec } from './detect/multi-pass.js';
import { createThreadedDetector } from './detect/threaded-detector.js';
import { InterruptedError, usageError } from './errors.js';
import { expandInputs } from './io/inputs.js';
import { isFolderTarget } from './io/outputs.js';
import { findFfmpeg, ChildSet, type FfmpegTools } from './media/ffmpeg.js';
import { findModel } from './models/manifest.js';
import { locateModel } from './models/install.js';
import type { FileOptions } from './options.js';
import { runBatch } from './pipeline/batch.js';
import type { RunContext } from './pipeline/context.js';
import { createFrameProcessor } from './pipeline/frame-processor.js';
import { ReportWriter } from './report.js';
import { createLog, type Log } from './ui/log.js';
import { createProgress } from './ui/progress.js';

const MODE = {
  // Chosen on half of WIDER FACE val and checked on the other half: see the README's accuracy table.
  default: { threshold: 0.3, margin: 10, rule: 'max' as const },
  thorough: { threshold: 0.6, margin: 24, rule: 'noisy-or' as const },
};

const modeOf = (o: FileOptions) => (o.thorough ? MODE.thorough : MODE.default);

/** Options that contradict each other: one line and exit 2, before anything is loaded. */
function checkContradictions(o: FileOptions): void {
  if (o.model && o.detector.length > 1) throw usageError('--model replaces one detector; give a single --detector with it');
  if (o.model && !existsSync(o.model)) throw usageError(`--model: no such file ${o.model}`);
  if (o.singlePass && o.thorough) throw usageError('--single-pass and --thorough contradict each other; choose one');
  if (o.force && o.skipExisting) throw usageError('--force and --skip-existing contradict each other; choose one');
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
async function planPasses(o: FileOptions): Promise<PassSpec[]> {
  const names = o.thorough && o.detector.length === 1 && o.detector[0] === 'yunet' ? ['yunet', 'yunet-n'] : o.detector;
  const passes: PassSpec[] = [];
  for (const [i, name] of names.entries()) {
    const family = name === 'centerface' ? 'centerface' : 'yunet';
    const path = o.model ?? (await modelPath(name));
    const factors = o.singlePass ? [1] : !o.thorough ? [1, 0.5] : i === 0 ? [1, 0.5, 2] : [1];
    for (const factor of factors) passes.push({ family, modelPath: path, factor, flip: false });
    // Small frames (up to 960 px wide, such as 480p video) also get a 2x pass: their background faces
    // are below YuNet's smallest stride, and the upscaled pass costs no more than one full-HD pass.
    if (!o.singlePass && !o.thorough && i === 0) passes.push({ family, modelPath: path, factor: 2, flip: false, maxWidth: 960 });
    if (o.thorough && i === 0) passes.push({ family, modelPath: path, factor: 1, flip: true });
  }
  return passes;
}

async function openDetector(o: FileOptions, log: Log): Promise<Detector> {
  const mode = modeOf(o);
  const passes = await planPasses(o);
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

/** Interrupts end every child and the batch; the handlers are removed again when the run ends. */
function trapSignals(controller: AbortController, children: ChildSet, log: Log): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) log.info(`\nfaceblur: ${signal}, stopping and removing partial files`);
    controller.abort(signal);
    children.killAll();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** File mode: returns the exit code (0 all done, 1 any failed). */
export async function runFiles(inputs: string[], o: FileOptions, version: string): Promise<number> {
  const log = createLog({ quiet: o.quiet, verbose: o.verbose });
  checkContradictions(o);
  const { files, problems } = expandInputs(inputs, o.recursive);
  if (o.output !== undefined && files.length + problems.length > 1 && !isFolderTarget(o.output)) {
    throw usageError(`-o ${o.output} names one file but there are several inputs; give a folder ending in /`);
  }
  for (const p of problems) log.error(`${p.input}: ${p.message}`);
  if (files.length === 0) return 1;

  let tools: FfmpegTools | undefined;
  const getTools = () => {
    if (!tools) {
      tools = findFfmpeg();
      log.verbose(`ffmpeg: ${tools.ffmpeg} (version ${tools.major}, from ${tools.source}); ffprobe: ${tools.ffprobe}`);
    }
    return tools;
  };
  const detector = await openDetector(o, log);
  const children = new ChildSet();
  const controller = new AbortController();
  const untrap = trapSignals(controller, children, log);
  const report = o.report ? new ReportWriter(o.report, version) : undefined;
  const ctx: RunContext = {
    tools: getTools,
    processFrame: createFrameProcessor(
      detector,
      {
        replaceWith: o.replacewith,
        region: o.region,
        shape: o.boxes ? 'box' : 'ellipse',
        maskScale: o.maskScale,
        maskMargin: o.maskMargin ?? modeOf(o).margin,
        mosaicSize: o.mosaicSize,
        color: o.color,
      },
      o.drawScores,
    ),
    tracking: o.tracking
      ? { holdSeconds: o.hold, lookaheadSeconds: o.lookahead, smoothFrames: o.smooth }
      : undefined,
    detectEvery: o.detectEvery,
    encode: { codec: o.codec, crf: o.crf, preset: o.preset, ffmpegArgs: o.ffmpegArgs, audio: o.audio, keepMetadata: o.keepMetadata },
    children,
    signal: controller.signal,
    log,
    progress: (file, total) => createProgress(file, total, { enabled: log.tty && !o.quiet }),
  };
  const started = performance.now();
  try {
    const outcomes = await runBatch(ctx, files, { output: o.output, force: o.force, skipExisting: o.skipExisting, report }, (r) => {
      if (r.skipped) log.info(`${r.input}: skipped, ${r.output} exists`);
      else if (r.ok) process.stdout.write(`${r.output}\n`);
      else log.error(`${r.input}: ${r.error}`);
    });
    if (controller.signal.aborted) throw new InterruptedError(String(controller.signal.reason));
    await report?.close();
    const failed = outcomes.filter((r) => !r.ok).length + problems.length;
    const skipped = outcomes.filter((r) => r.skipped).length;
    const done = outcomes.filter((r) => r.ok).length - skipped;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    log.info(`faceblur: ${done} done, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} (${secs} s)`);
    log.verbose(`peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (this process; ffmpeg runs apart)`);
    return failed > 0 ? 1 : 0;
  } catch (err) {
    await report?.discard();
    throw err;
  } finally {
    untrap();
    children.killAll();
    await detector.dispose();
  }
}
