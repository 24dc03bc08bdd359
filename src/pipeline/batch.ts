import { existsSync, statSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { errorMessage, InterruptedError } from '../errors.js';
import { claimFile } from '../io/claim.js';
import type { InputFile } from '../io/inputs.js';
import { isImagePath } from '../io/media-kind.js';
import { isFolderTarget, outputFormatProblem, outputPathFor, samePath, tempPathFor } from '../io/outputs.js';
import type { ReportWriter } from '../report.js';
import type { RunContext } from './context.js';
import type { FaceSummary, ProjectCounts } from './face-stats.js';
import { anonymizeImage } from './image.js';
import { anonymizeVideo, type JobResult } from './video.js';

export interface FileOutcome {
  input: string;
  output?: string;
  ok: boolean;
  /** Not processed because a finished output was already there (--skip-existing). */
  skipped?: boolean;
  error?: string;
  frames: number;
  seconds: number;
  /** Done files: what was anonymized (see FaceStats). */
  faces?: FaceSummary;
  /** Done analyses: what the project holds. */
  project?: ProjectCounts;
}

/** One file's work: reads `input`, writes `temp` (renamed to `output` when it succeeds). */
export type Job = (ctx: RunContext, input: string, temp: string, output: string, report: ReportWriter | undefined) => Promise<JobResult>;

export interface BatchOptions {
  output: string | undefined;
  force: boolean;
  skipExisting: boolean;
  report: ReportWriter | undefined;
  /** What each file gets, and where it goes; by default, anonymized beside the input. */
  job?: Job | undefined;
  outputFor?: typeof outputPathFor | undefined;
  /** --replacewith none: outputs hide nothing, and their names say so. */
  untouched: boolean;
}

/** The default job: a photo (written as a photo) goes through sharp, anything else through ffmpeg. */
const anonymize: Job = (ctx, input, temp, output, report) => (isImagePath(input) && isImagePath(output) ? anonymizeImage : anonymizeVideo)(ctx, input, temp, output, report);

/**
 * Runs one file: every output is written under a hidden temp name in its destination folder and
 * renamed only when complete, so the final name never holds a partial file.
 */
async function runOne(ctx: RunContext, file: InputFile, opts: BatchOptions, claimed: Set<string>): Promise<FileOutcome> {
  const start = performance.now();
  const output = (opts.outputFor ?? outputPathFor)(file.path, file.relativeTo, opts.output, opts.untouched);
  const outcome = (ok: boolean, frames: number, error?: string): FileOutcome => ({
    input: file.path,
    output,
    ok,
    frames,
    seconds: (performance.now() - start) / 1000,
    ...(error === undefined ? {} : { error }),
  });
  if (samePath(output, file.path)) return outcome(false, 0, 'the output would overwrite the input; choose another -o');
  // A name given by -o is checked against the input's kind; one faceblur derives keeps the input's own
  // extension. Other jobs (analyze) write their own format.
  const format = !opts.job && opts.output !== undefined && !isFolderTarget(opts.output) ? outputFormatProblem(file.path, output) : undefined;
  if (format) return outcome(false, 0, format);
  // Said plainly: ffmpeg would call it a broken MP4 ("moov atom not found"), sharp an unknown format.
  if ((await stat(file.path).catch(() => undefined))?.size === 0) return outcome(false, 0, 'the file is empty (0 bytes)');
  if (claimed.has(output)) return outcome(false, 0, `another input in this run also writes ${output}`);
  claimed.add(output);
  const exists = existsSync(output);
  // Checked before the work, not found by the final rename (EISDIR) after it.
  if (exists && statSync(output).isDirectory()) return outcome(false, 0, `${output} is a folder; choose another -o`);
  // faceblur only ever renames complete files to an output name, so an existing output is finished.
  if (exists && opts.skipExisting) return { ...outcome(true, 0), skipped: true };
  if (exists && !opts.force) return outcome(false, 0, `${output} already exists (use --force to overwrite, --skip-existing to go on)`);
  const temp = tempPathFor(output);
  try {
    await claimFile(temp);
    const { frames, faces, project } = await (opts.job ?? anonymize)(ctx, file.path, temp, output, opts.report);
    await rename(temp, output);
    return { ...outcome(true, frames), faces, project };
  } catch (err) {
    // A child killed by our own signal handler is the interrupt, not a failure of this file.
    if (err instanceof InterruptedError || ctx.signal.aborted) throw new InterruptedError(String(ctx.signal.reason ?? 'signal'));
    ctx.log.verbose(err instanceof Error && err.stack ? err.stack : String(err));
    return outcome(false, 0, errorMessage(err));
  } finally {
    // Never throws: a temp that could not be made (a parent that is a file: ENOTDIR) must not hide why.
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * Runs every file, `jobs` at a time; one failure does not stop the others, an interrupt stops the
 * batch (every running file is cleaned up before this returns).
 */
export async function runBatch(
  ctx: RunContext,
  files: InputFile[],
  opts: BatchOptions,
  onOutcome: (o: FileOutcome) => void,
  jobs = 1,
): Promise<FileOutcome[]> {
  const claimed = new Set<string>();
  const outcomes: FileOutcome[] = [];
  let next = 0;
  const lane = async () => {
    while (!ctx.signal.aborted && next < files.length) {
      const result = await runOne(ctx, files[next++]!, opts, claimed);
      outcomes.push(result);
      onOutcome(result);
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes;
}
