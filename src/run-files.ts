import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { InterruptedError, STOP_SIGNALS, usageError } from './errors.js';
import { expandInputs, type ExpandedInputs, type InputFile } from './io/inputs.js';
import { isImagePath, isMediaPath } from './io/media-kind.js';
import { refuseUnnamed } from './io/unnamed.js';
import { photoIneffective } from './option-messages.js';
import { isFolderTarget, outputFormatProblem, outputPathFor } from './io/outputs.js';
import { openPreview } from './live/preview-feed.js';
import { checkEncoder, findFfmpeg, ChildSet, type FfmpegTools } from './media/ffmpeg.js';
import type { FileOptions } from './options.js';
import { runBatch } from './pipeline/batch.js';
import { describeFaces, describeProject, totalFaces } from './pipeline/face-stats.js';
import type { RunContext } from './pipeline/context.js';
import { checkSharedContradictions, encodingDetectorThreads, openFrameProcessors, projectSettingsOf, reportSettingsOf, thresholdOf } from './pipeline/setup.js';
import { CANDIDATE_FLOOR } from './detect/fusion.js';
import { analyzeJob } from './pipeline/analyze.js';
import { checkProjectInput, projectPathFor, readProject } from './project/file.js';
import { isProjectLocked, lockedMessage } from './project/lock.js';
import { keptDuplicates, redactsAnything } from './project/regions.js';
import { checkReportPath, REPORT_TO_STDOUT, ReportWriter } from './report.js';
import { createLog, type Log } from './ui/log.js';
import { createProgressDisplay, type ProgressDisplay } from './ui/progress.js';

/**
 * Interrupts end every child and the batch; the handlers are removed again when the run ends. The
 * bars are frozen first, so that the stop message is the last line and no bar is drawn below it.
 */
function trapSignals(controller: AbortController, children: ChildSet, log: Log, display: ProgressDisplay): () => void {
  const handler = (signal: NodeJS.Signals) => {
    display.stop();
    if (!controller.signal.aborted) log.info(`faceblur: ${signal}, stopping and removing partial files`);
    controller.abort(signal);
    children.killAll();
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  // A child of `faceblur worker` (runCliChild) reads its parent's end of a pipe: its end of file
  // means the parent died, even by SIGKILL, and an orphan must not go on writing a segment that
  // another worker now renders.
  const orphaned = () => handler('SIGTERM');
  const watchParent = process.env.FACEBLUR_EXIT_WITH_PARENT === '1';
  if (watchParent) process.stdin.once('end', orphaned).resume();
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
    if (watchParent) process.stdin.off('end', orphaned).destroy();
  };
}

/** A bar's label: the file's name, with its place in a batch ("file 2 of 6: clip.mp4"). */
function batchLabel(file: string, files: { path: string }[]): string {
  const at = files.findIndex((f) => f.path === file);
  return files.length > 1 && at >= 0 ? `file ${at + 1} of ${files.length}: ${basename(file)}` : basename(file);
}

/**
 * File mode: anonymize each input (from a project with --project), or analyze each into a project.
 * Returns the exit code (0 all done, 1 any failed).
 */
export async function runFiles(inputs: string[], o: FileOptions, version: string, mode: 'anonymize' | 'analyze' = 'anonymize'): Promise<number> {
  const display = createProgressDisplay({ enabled: !o.quiet });
  const log = createLog({ quiet: o.quiet, verbose: o.verbose, around: display.above });
  checkSharedContradictions(o);
  if (o.force && o.skipExisting) throw usageError('--force and --skip-existing contradict each other; choose one');
  let tools: FfmpegTools | undefined;
  const getTools = () => {
    if (!tools) {
      tools = findFfmpeg();
      log.verbose(`ffmpeg: ${tools.ffmpeg} (version ${tools.major}, from ${tools.source}); ffprobe: ${tools.ffprobe}`);
    }
    return tools;
  };
  const { files, problems, notices } = await gatherInputs(inputs, o, mode, getTools);
  if (o.output !== undefined && files.length + problems.length > 1 && !isFolderTarget(o.output)) {
    throw usageError(`-o ${o.output} names one file but there are several inputs; give a folder ending in /`);
  }
  if (o.project !== undefined && files.length + problems.length !== 1) throw usageError('--project renders one input, the one the project was made for');
  if (o.renderSegment && (mode !== 'anonymize' || files.length + problems.length !== 1 || o.project !== undefined || !o.output?.endsWith('.mkv') || isImagePath(files[0]?.path ?? ''))) {
    throw usageError('--render-segment renders one video, without --project, to an .mkv given with -o');
  }
  if (o.seekProxy !== undefined && (mode !== 'analyze' || files.length + problems.length !== 1 || isImagePath(files[0]?.path ?? ''))) {
    throw usageError('--seek-proxy goes with faceblur analyze of one video');
  }
  // One output file: its format is checked against the input before any model or ffmpeg starts.
  const format =
    mode === 'anonymize' && o.output !== undefined && files.length === 1 && !isFolderTarget(o.output) ? outputFormatProblem(files[0]!.path, o.output) : undefined;
  if (format) throw usageError(`-o ${format}`);
  // analyze -o clip.mp4 (a render's habit) would put JSON under a media name, over a finished output with --force.
  if (mode === 'analyze' && o.output !== undefined && !isFolderTarget(o.output) && isMediaPath(o.output)) {
    throw usageError(`-o ${o.output}: names a video or photo, but analyze writes a project (such as clip.faceblur.json); for a folder, end it with /`);
  }
  // Warned even with --quiet: a copy that hides nothing must never pass for an anonymized one.
  const untouched = o.replacewith === 'none';
  const untouchedWarning = `--replacewith none anonymizes nothing: every face stays visible in the output${files.length === 1 ? '' : 's'}${
    o.output === undefined || isFolderTarget(o.output) ? ', named <name>_not_anonymized.<ext>' : ''
  }`;
  // Said once, after the summary; also before the work only where someone watches and can stop it (a trial read it twice under -q).
  if (untouched && process.stderr.isTTY && !log.quiet) log.warn(untouchedWarning);
  // A new-user trial read "28 faces anonymized" under the warning that nothing is.
  const fate = untouched ? 'found (none anonymized: --replacewith none)' : 'anonymized';
  for (const p of problems) log.error(`${p.input}: ${p.message}`);
  // Not quiet-able: a user who believes the whole folder is done would publish what is left below it.
  for (const n of notices) log.warn(`${n.input}: ${n.message}`);
  if (files.length === 0) return 1;
  const project = o.project === undefined ? undefined : await readProject(o.project);
  if (project) {
    await checkProjectInput(project, o.project!, files[0]!.path);
    const kept = [...keptDuplicates(project)];
    if (kept.length > 0) log.info(`${o.project}: ${kept.map(([t, k]) => `track #${t} follows the face of kept track #${k}`).join(', ')}: left visible with it`);
  }
  // Named as --replacewith none names it: a trial's render of an all-"keep" project was called _anonymized.
  const hidesNothing = untouched || (project !== undefined && !redactsAnything(project));
  if (o.report !== undefined) {
    const outputs = files.map((f) => (mode === 'anonymize' ? outputPathFor(f.path, f.relativeTo, o.output, hidesNothing) : projectPathFor(f.path, f.relativeTo, o.output)));
    await checkReportPath(o.report, files.map((f) => f.path), outputs, o);
  }

  const cores = availableParallelism();
  // Auto: a photo spends most of its time in decode and encode, which a second photo's detection
  // overlaps (5.4 → 7.2 MP/s per core on two cores); a video's encoder already keeps the cores busy,
  // and parallel videos each hold a frame window, so more of them is the user's call (--jobs N).
  const photos = files.filter((f) => isImagePath(f.path)).length;
  if (photos === files.length && mode === 'anonymize') for (const w of photoIneffective(o)) log.warn(w);
  const auto = photos === files.length ? 2 : 1;
  const jobs = Math.min(files.length, o.jobs === 0 ? auto : o.jobs);
  // Parallel files take turns on one detector thread (one model in memory); their encoders split the cores.
  // Analyze runs the detector down to the candidate floor and splits at the threshold itself.
  // Videos being encoded leave the detector a thread budget of its own (encodingDetectorThreads).
  const detecting = mode === 'analyze' ? { ...o, thresh: CANDIDATE_FLOOR } : photos === 0 && o.threads === 0 ? { ...o, threads: encodingDetectorThreads(cores) } : o;
  // Before the detector starts, so that a mistyped encoder costs nothing; without ffmpeg, each video says so.
  if (o.codec && mode === 'anonymize' && photos < files.length) {
    const found = ffmpegIfFound(getTools);
    if (found) checkEncoder(found, o.codec);
  }
  const opening = openFrameProcessors(detecting, log, project ? 'project' : photos > 0 ? 'files' : 'videos');
  // ffmpeg is looked for while the detector thread starts. A missing ffmpeg is each video's error, not the run's.
  if (photos < files.length) ffmpegIfFound(getTools);
  const { detector, processors } = await opening;
  const preview = o.preview
    ? await openPreview({ title: files.length === 1 ? files[0]!.path : `${files.length} files`, port: 0, open: o.open, everyFrame: false, dropped: () => 0, files: files.length }).catch(
        async (err: unknown) => {
          await detector.dispose();
          throw err;
        },
      )
    : undefined;
  // Parallel files add a line that counts finished files above each file's own bar.
  const filesProgress = jobs > 1 ? display.bar(`${files.length} files`, files.length, 'files') : undefined;
  const children = new ChildSet();
  const controller = new AbortController();
  const untrap = trapSignals(controller, children, log, display);
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
    progress: (file, total) => {
      const bar = display.bar(batchLabel(file, files), total, 'frames');
      const page = preview?.job(file, total);
      return page ? { update: (n) => (bar.update(n), page.update(n)), finish: (completed) => (bar.finish(completed), page.finish(completed)) } : bar;
    },
    preview: preview?.feed,
    project,
    segment: o.renderSegment,
    seekProxy: o.seekProxy,
  };
  const analyze =
    mode === 'analyze'
      ? {
          job: analyzeJob({ threshold: { motion: thresholdOf(o, 'motion'), still: thresholdOf(o, 'still') }, settings: projectSettingsOf(o, CANDIDATE_FLOOR), version }),
          outputFor: projectPathFor,
        }
      : {};
  const started = performance.now();
  let finished = 0;
  try {
    const outcomes = await runBatch(ctx, files, { output: o.output, force: o.force, skipExisting: o.skipExisting, report, untouched: hidesNothing, ...analyze }, (r) => {
      if (r.skipped) log.info(`${r.input}: skipped, ${r.output} exists`);
      else if (r.ok) {
        if (o.report !== REPORT_TO_STDOUT) display.above(() => process.stdout.write(`${r.output}\n`));
        // "no face found" would be wrong for a project whose faces were all set to keep.
        const lines = r.faces && project && r.faces.faces === 0 ? ['the project has nothing to anonymize (no redact track): every face stays visible'] : r.faces ? describeFaces(r.faces, !isImagePath(r.input), fate) : [];
        for (const line of lines) log.info(`  ${r.input}: ${line}`);
        if (r.project) log.info(`  ${r.input}: ${describeProject(r.project, isImagePath(r.input) ? 'face' : 'face track')}`);
      } else {
        log.error(`${r.input}: ${r.error}`);
        report?.failed(r.input, r.error ?? 'failed');
      }
      filesProgress?.update(++finished);
    }, jobs);
    filesProgress?.finish(!controller.signal.aborted);
    display.stop();
    if (controller.signal.aborted) throw new InterruptedError(String(controller.signal.reason));
    await report?.close();
    const failed = outcomes.filter((r) => !r.ok).length + problems.length;
    const skipped = outcomes.filter((r) => r.skipped).length;
    const done = outcomes.filter((r) => r.ok).length - skipped;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const total = totalFaces(outcomes.flatMap((r) => (r.faces ? [r.faces] : [])));
    const projects = outcomes.flatMap((r) => (r.project ? [r.project] : []));
    const faces =
      mode === 'analyze'
        ? describeProject({ tracks: projects.reduce((n, p) => n + p.tracks, 0), candidates: projects.reduce((n, p) => n + p.candidates, 0) }, 'track')
        : `${total.faces} face${total.faces === 1 ? '' : 's'} ${fate}${total.framesPredicted > 0 ? `, ${total.framesPredicted} frames rely on held or predicted masks` : ''}`;
    log.info(`faceblur: ${done} done, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} (${secs} s): ${faces}`);
    if (untouched && done > 0) log.warn(untouchedWarning);
    log.verbose(`peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (this process; ffmpeg runs apart)`);
    return failed > 0 ? 1 : 0;
  } catch (err) {
    await report?.discard();
    throw err;
  } finally {
    display.stop();
    untrap();
    children.killAll();
    await preview?.server.close();
    await detector.dispose();
  }
}

/**
 * The run's inputs, expanded from folders and globs (expandInputs), without those refused before any
 * work, which join the problems (one line each): a name without a photo or video extension whose
 * content is one (refuseUnnamed), and, for analyze --force, a project that a review or track has open,
 * whose edits would be lost.
 */
async function gatherInputs(inputs: string[], o: FileOptions, mode: 'anonymize' | 'analyze', getTools: () => FfmpegTools): Promise<ExpandedInputs> {
  const expanded = expandInputs(inputs, o.recursive, o.output !== undefined && isFolderTarget(o.output) ? o.output : undefined);
  const unnamed = await refuseUnnamed(expanded.files, expanded.files.some((f) => !isMediaPath(f.path)) ? ffmpegIfFound(getTools) : undefined);
  const projectOf = (f: InputFile) => projectPathFor(f.path, f.relativeTo, o.output);
  const held = mode === 'analyze' && o.force ? await Promise.all(unnamed.files.map((f) => isProjectLocked(projectOf(f)))) : [];
  return {
    files: unnamed.files.filter((_, i) => !held[i]),
    problems: [...expanded.problems, ...unnamed.problems, ...unnamed.files.filter((_, i) => held[i]).map((f) => ({ input: f.path, message: lockedMessage(projectOf(f)) }))],
    notices: expanded.notices,
  };
}

/** ffmpeg, or undefined when it is not there: a missing one is each video's own error, not the run's. */
function ffmpegIfFound(getTools: () => FfmpegTools): FfmpegTools | undefined {
  try {
    return getTools();
  } catch {
    return undefined;
  }
}
