import { availableParallelism } from 'node:os';
import { InterruptedError, usageError } from './errors.js';
import { expandInputs } from './io/inputs.js';
import { isImagePath } from './io/media-kind.js';
import { isFolderTarget } from './io/outputs.js';
import { openPreview } from './live/preview-feed.js';
import { findFfmpeg, ChildSet, type FfmpegTools } from './media/ffmpeg.js';
import type { FileOptions } from './options.js';
import { runBatch } from './pipeline/batch.js';
import type { RunContext } from './pipeline/context.js';
import { checkSharedContradictions, openFrameProcessors, projectSettingsOf, reportSettingsOf, thresholdOf } from './pipeline/setup.js';
import { CANDIDATE_FLOOR } from './detect/fusion.js';
import { analyzeJob } from './pipeline/analyze.js';
import { checkProjectInput, projectPathFor, readProject } from './project/file.js';
import { ReportWriter } from './report.js';
import { createLog, type Log } from './ui/log.js';
import { createProgress } from './ui/progress.js';

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

/**
 * File mode: anonymize each input (from a project with --project), or analyze each into a project.
 * Returns the exit code (0 all done, 1 any failed).
 */
export async function runFiles(inputs: string[], o: FileOptions, version: string, mode: 'anonymize' | 'analyze' = 'anonymize'): Promise<number> {
  const log = createLog({ quiet: o.quiet, verbose: o.verbose });
  checkSharedContradictions(o);
  if (o.force && o.skipExisting) throw usageError('--force and --skip-existing contradict each other; choose one');
  const { files, problems } = expandInputs(inputs, o.recursive);
  if (o.output !== undefined && files.length + problems.length > 1 && !isFolderTarget(o.output)) {
    throw usageError(`-o ${o.output} names one file but there are several inputs; give a folder ending in /`);
  }
  if (o.project !== undefined && files.length + problems.length !== 1) throw usageError('--project renders one input, the one the project was made for');
  for (const p of problems) log.error(`${p.input}: ${p.message}`);
  if (files.length === 0) return 1;
  const project = o.project === undefined ? undefined : await readProject(o.project);
  if (project) await checkProjectInput(project, o.project!, files[0]!.path);

  let tools: FfmpegTools | undefined;
  const getTools = () => {
    if (!tools) {
      tools = findFfmpeg();
      log.verbose(`ffmpeg: ${tools.ffmpeg} (version ${tools.major}, from ${tools.source}); ffprobe: ${tools.ffprobe}`);
    }
    return tools;
  };
  const cores = availableParallelism();
  // Auto: a photo spends most of its time in decode and encode, which a second photo's detection
  // overlaps (5.4 → 7.2 MP/s per core on two cores); a video's encoder already keeps the cores busy,
  // and parallel videos each hold a frame window, so more of them is the user's call (--jobs N).
  const photos = files.filter((f) => isImagePath(f.path)).length;
  const auto = photos === files.length ? 2 : 1;
  const jobs = Math.min(files.length, o.jobs === 0 ? auto : o.jobs);
  // Parallel files take turns on one detector thread (one model in memory); their encoders split the cores.
  // Analyze runs the detector down to the candidate floor and splits at the threshold itself.
  const detecting = mode === 'analyze' ? { ...o, thresh: CANDIDATE_FLOOR } : o;
  const opening = openFrameProcessors(detecting, log, project ? 'project' : photos > 0 ? 'files' : 'videos');
  // ffmpeg is looked for while the detector thread starts. A missing ffmpeg is each video's error, not the run's.
  if (photos < files.length) {
    try {
      getTools();
    } catch {
      // Reported by each video that needs it.
    }
  }
  const { detector, processors } = await opening;
  const preview = o.preview
    ? await openPreview({ title: files.length === 1 ? files[0]!.path : `${files.length} files`, port: 0, open: o.open, everyFrame: false, dropped: () => 0 }).catch(
        async (err: unknown) => {
          await detector.dispose();
          throw err;
        },
      )
    : undefined;
  const filesProgress = createProgress(`${files.length} files`, files.length, { enabled: log.tty && !o.quiet && jobs > 1, unit: 'files' });
  const children = new ChildSet();
  const controller = new AbortController();
  const untrap = trapSignals(controller, children, log);
  const report = o.report ? new ReportWriter(o.report, version, reportSettingsOf(o, project?.settings)) : undefined;
  for (const p of problems) report?.failed(p.input, p.message);
  const ctx: RunContext = {
    tools: getTools,
    processors,
    tracking: o.tracking
      ? { holdSeconds: o.hold, lookaheadSeconds: o.lookahead, smoothFrames: o.smooth }
      : undefined,
    detectEvery: o.detectEvery,
    encode: { codec: o.codec, crf: o.crf, preset: o.preset, ffmpegArgs: o.ffmpegArgs, audio: o.audio, keepMetadata: o.keepMetadata, threads: jobs > 1 ? Math.ceil(cores / jobs) : undefined },
    children,
    signal: controller.signal,
    log,
    // Parallel files share one line: a count of files instead of one bar per file.
    progress: (file, total) => createProgress(file, total, { enabled: log.tty && !o.quiet && jobs === 1 }),
    preview: preview?.feed,
    project,
  };
  const analyze = {
    job: analyzeJob({ threshold: { motion: thresholdOf(o, 'motion'), still: thresholdOf(o, 'still') }, settings: projectSettingsOf(o, CANDIDATE_FLOOR), version }),
    outputFor: projectPathFor,
  };
  const started = performance.now();
  let finished = 0;
  try {
    const outcomes = await runBatch(ctx, files, { output: o.output, force: o.force, skipExisting: o.skipExisting, report, ...(mode === 'analyze' ? analyze : {}) }, (r) => {
      if (r.skipped) log.info(`${r.input}: skipped, ${r.output} exists`);
      else if (r.ok) process.stdout.write(`${r.output}\n`);
      else {
        log.error(`${r.input}: ${r.error}`);
        report?.failed(r.input, r.error ?? 'failed');
      }
      filesProgress.update(++finished);
    }, jobs);
    filesProgress.finish();
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
    await preview?.server.close();
    await detector.dispose();
  }
}
