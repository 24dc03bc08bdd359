import { boxHeight, boxWidth, clipBox, MIN_BOX, type Box } from './detect/box.js';
import { InterruptedError, STOP_SIGNALS, usageError } from './errors.js';
import { addManualTrack } from './project/edit.js';
import { checkProjectInput, checkProjectWritable, readProject, writeProject } from './project/file.js';
import { lockProject } from './project/lock.js';
import { trackBox } from './track/follow.js';
import { createLog, type Log } from './ui/log.js';
import { createProgressDisplay } from './ui/progress.js';

export interface TrackCommandOptions {
  project: string;
  frame: number;
  box: Box;
  label?: string | undefined;
  quiet: boolean;
}

/**
 * `faceblur track INPUT --project FILE --frame N --box x1,y1,x2,y2`: follows the drawn box forward
 * and backward through the input (trackBox) and adds what it followed to the project as one manual
 * `redact` track, whose seed frame is a keyframe. The project is locked for the whole run (as
 * `faceblur review` locks it), read under the lock and rewritten atomically; the input is only read.
 * Prints the project's path on stdout; returns the exit code.
 * @throws UserError (exit 2) for a project made for another file, read-only, or open in another
 *   review or track, a frame past the end, or a box with less than MIN_BOX×MIN_BOX pixels inside the frame;
 *   (exit 1) for a project folder that cannot be written, checked before the follow.
 * @throws InterruptedError on SIGINT or SIGTERM, with the project unchanged.
 */
export async function runTrack(input: string, o: TrackCommandOptions): Promise<number> {
  const log = createLog({ quiet: o.quiet, verbose: false });
  const checked = await readProject(o.project);
  await checkProjectInput(checked, o.project, input);
  const { frameCount, width, height } = checked.input;
  if (o.frame >= frameCount) {
    throw usageError(`--frame ${o.frame} is past the end: ${input} has ${frameCount === 1 ? 'one frame, frame 0' : `${frameCount} frames (numbered from 0)`}`);
  }
  const inside = clipBox(o.box, width, height);
  if (boxWidth(inside) < MIN_BOX || boxHeight(inside) < MIN_BOX) {
    const { x1, y1, x2, y2 } = o.box;
    throw usageError(`--box ${x1},${y1},${x2},${y2} has less than ${MIN_BOX}x${MIN_BOX} pixels inside the ${width}x${height} frame`);
  }
  await checkProjectWritable(o.project);
  const release = await lockProject(o.project, log.warn);
  try {
    // Read again under the lock: an edit saved since the check above must not be written over.
    const project = await readProject(o.project);
    const rows: Parameters<typeof addManualTrack>[1] = project.input.kind === 'image' ? [{ frame: 0, box: inside, score: 1, kind: 'keyframe' }] : await follow(input, o, log);
    await writeProject(o.project, addManualTrack(project, rows, o.label));
    const frames = rows.map((r) => r.frame);
    const span = rows.length === 1 ? `frame ${frames[0]}` : `frames ${Math.min(...frames)}–${Math.max(...frames)} (${rows.length} frames)`;
    log.info(`added a manual track over ${span} to ${o.project}`);
    process.stdout.write(`${o.project}\n`);
    return 0;
  } finally {
    await release().catch(() => undefined);
  }
}

/** The follow, with its progress bar; SIGINT or SIGTERM stops it (its ffmpeg children too) with InterruptedError. */
async function follow(input: string, o: TrackCommandOptions, log: Log): Promise<Parameters<typeof addManualTrack>[1]> {
  const display = createProgressDisplay({ enabled: !o.quiet });
  const bar = display.bar(`following the box from frame ${o.frame}`, undefined, 'frames');
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    display.stop();
    if (!controller.signal.aborted) log.info(`faceblur: ${signal}, stopping; ${o.project} is unchanged`);
    controller.abort(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
  let completed = false;
  try {
    const followed = await trackBox(input, o.frame, o.box, { onProgress: (done) => bar.update(done), signal: controller.signal });
    completed = true;
    return followed.map((b) => ({ frame: b.frame, box: b.box, score: b.score, kind: b.kind === 'keyframe' ? 'keyframe' : 'detected' }));
  } catch (err) {
    if (controller.signal.aborted) throw new InterruptedError(String(controller.signal.reason));
    throw err;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    bar.finish(completed);
    display.stop();
  }
}
