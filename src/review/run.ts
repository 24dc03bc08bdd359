import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { signalExitCode, STOP_SIGNALS, UserError, usageError } from '../errors.js';
import { defaultOutputPath } from '../io/outputs.js';
import { isImagePath, isMediaPath } from '../io/media-kind.js';
import { openBrowser } from '../live/open-browser.js';
import { checkEncoder, findFfmpeg } from '../media/ffmpeg.js';
import { z } from 'zod';
import { describeIssue } from '../option-messages.js';
import { fileOptionsSchema, type FileOptions } from '../options.js';
import { checkProjectInput, checkProjectWritable, projectNameFor, readProject } from '../project/file.js';
import { anonymizeSettingsOf } from '../pipeline/setup.js';
import { createLog, type Log } from '../ui/log.js';
import { createProgressDisplay, type ProgressDisplay } from '../ui/progress.js';
import { ReviewApp } from './app.js';
import { lockProject } from '../project/lock.js';
import { DETECT, givenFlags, RENDER, reviewOptionSpecs } from './options.js';
import { refuseUnnamed } from '../io/unnamed.js';
import { removeOrphanedScratch } from './scratch.js';
import { startReviewServer } from './server.js';

/**
 * `faceblur review INPUT`: analyzes the input into a project if it has none, then serves the editor
 * until Ctrl+C (or SIGTERM, SIGHUP), which saves the project and exits 0. A project that exists is
 * read and checked against the input before the server starts, so a broken one or one made for
 * another file is one line and exit 2; an input the analysis cannot read ends the review with its
 * reason and exit 1; a Ctrl+C before the first analysis finished saves nothing and exits 130 (143, 129).
 */
export async function runReview(input: string, raw: Record<string, unknown>, cmd: Command): Promise<number> {
  const parsed = fileOptionsSchema.safeParse(raw);
  if (!parsed.success) throw usageError(describeIssue(parsed.error, reviewOptionSpecs, raw));
  const port = z.object({ port: reviewOptionSpecs.port.schema }).safeParse({ port: raw.port });
  if (!port.success) throw usageError(describeIssue(port.error, reviewOptionSpecs, raw));
  const o = parsed.data;
  if (!existsSync(input)) throw new UserError(`${input}: no such file`, 2);
  if (!statSync(input).isFile()) throw new UserError(`${input}: is a folder; review takes one video or photo`, 2);
  if (!isMediaPath(input)) {
    // IMG_0042 from a phone export gets the main command's hint: what it reads as, and the name to give it.
    const named = (await refuseUnnamed([{ path: input }], findFfmpeg())).problems[0];
    throw new UserError(`${input}: ${named ? named.message : 'not a video or photo faceblur reads'}`, 2);
  }
  // The jobs' bars, as `faceblur analyze` draws them: on a terminal only, none with --quiet.
  const display = createProgressDisplay({ enabled: !o.quiet });
  const log = createLog({ quiet: o.quiet, verbose: o.verbose, around: display.above });
  // Absolute, so that the page says exactly where the project and the export are.
  const projectPath = resolve(o.project ?? projectNameFor(input));
  await checkProjectWritable(projectPath);
  const release = await lockProject(projectPath, log.warn);
  try {
    return await review(input, cmd, raw, { o, port: port.data.port, projectPath, display, log });
  } finally {
    await release().catch(() => undefined);
  }
}

/** What runReview worked out before it locked the project. */
interface Setup {
  o: FileOptions;
  port: number;
  projectPath: string;
  display: ProgressDisplay;
  log: Log;
}

/** The review itself, once the project is locked (see runReview). */
async function review(input: string, cmd: Command, raw: Record<string, unknown>, { o, port, projectPath, display, log }: Setup): Promise<number> {
  removeOrphanedScratch();
  const tools = findFfmpeg();
  // The export's encoder, checked now: a trial's mistyped --codec failed only at its export.
  if (o.codec && !isImagePath(input)) checkEncoder(tools, o.codec);
  const existing = existsSync(projectPath) ? await readProject(projectPath) : undefined;
  if (existing) {
    await checkProjectInput(existing, projectPath, input).catch((err: unknown) => {
      // clip.mp4 and clip.mkv (a phone's IMG_0001.JPG and .MOV) share the project name clip.faceblur.json.
      if (o.project !== undefined || !(err instanceof UserError)) throw err;
      throw new UserError(`${err.message}; to review ${input} on its own, give it a project of its own: --project ${input}.faceblur.json`, 2);
    });
  }
  const app = new ReviewApp({
    input,
    projectPath,
    outputPath: resolve(o.output ?? defaultOutputPath(input)),
    replaceExisting: o.force,
    analyzeArgs: givenFlags(cmd, DETECT, raw),
    exportArgs: givenFlags(cmd, RENDER, raw),
    anonymize: anonymizeSettingsOf(o, isImagePath(input) ? 'still' : 'motion'),
    tools,
    terminal: display,
  });
  // Listening before the address is printed: a Ctrl+C right after it must find the handler in place.
  // `on`, not `once`: a second Ctrl+C while closing must not end the process half-way.
  // 'failed': the review could not open (an input ffmpeg cannot read), which ends it as an error.
  let stopping: NodeJS.Signals | 'failed' | undefined;
  let stop: (why: NodeJS.Signals | 'failed') => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals | 'failed'>((resolve) => {
    stop = (why) => resolve((stopping ??= why));
    for (const s of STOP_SIGNALS) process.on(s, stop);
  });
  const server = await startReviewServer(app, { port, title: input });
  // The address goes to stderr with the logs: stdout stays for results.
  process.stderr.write(`Review: ${server.url}\n`);
  if (o.open) openBrowser(server.url);
  void app.start(existing).then(() => {
    const s = app.state();
    // Cancelled from the page, the review stays: the page says so, and Ctrl+C ends it.
    if (s.phase !== 'failed' || s.job?.state === 'cancelled' || stopping) return;
    // A trial's review of a file that was not media served a dead page, and held the lock, until Ctrl+C.
    log.error(`cannot review: ${s.error}`);
    stop('failed');
  });
  const signal = await stopped;
  // Stopped with the job: an export leaves the earlier output as it was (the CLI renames on success only).
  const running = app.state().job;
  await app.close();
  if (running?.state === 'running') log.info(`${signal}: ${running.kind} stopped${running.kind === 'export' ? `; ${app.state().outputPath} was not changed` : ''}`);
  await server.close();
  display.stop();
  if (signal === 'failed') return 1;
  if (!app.hasProject) {
    log.info(`${signal}: the analysis did not finish; nothing was saved`);
    return signalExitCode(signal);
  }
  log.info(`saved ${projectPath}`);
  return 0;
}
