import type { Box } from './detect/box.js';
import { usageError } from './errors.js';
import { addManualTrack } from './project/edit.js';
import { checkProjectInput, readProject, writeProject } from './project/file.js';
import { trackBox } from './track/follow.js';
import { createLog } from './ui/log.js';
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
 * `redact` track, whose seed frame is a keyframe. The project is rewritten atomically; the input is
 * only read. Prints the project's path on stdout; returns the exit code.
 * @throws UserError (exit 2) for a project made for another file, a frame past the end, or a box
 *   outside the frame.
 */
export async function runTrack(input: string, o: TrackCommandOptions): Promise<number> {
  const log = createLog({ quiet: o.quiet, verbose: false });
  const project = await readProject(o.project);
  await checkProjectInput(project, o.project, input);
  if (o.frame >= project.input.frameCount) {
    const n = project.input.frameCount;
    throw usageError(`--frame ${o.frame} is past the end: ${input} has ${n === 1 ? 'one frame, frame 0' : `${n} frames (numbered from 0)`}`);
  }
  const display = createProgressDisplay({ enabled: !o.quiet });
  let rows: Parameters<typeof addManualTrack>[1];
  if (project.input.kind === 'image') {
    rows = [{ frame: 0, box: o.box, score: 1, kind: 'keyframe' }];
  } else {
    const bar = display.bar(`following the box from frame ${o.frame}`, undefined, 'frames');
    let completed = false;
    try {
      const followed = await trackBox(input, o.frame, o.box, { onProgress: (done) => bar.update(done) });
      completed = true;
      rows = followed.map((b) => ({ frame: b.frame, box: b.box, score: b.score, kind: b.kind === 'keyframe' ? 'keyframe' : 'detected' }));
    } finally {
      bar.finish(completed);
      display.stop();
    }
  }
  await writeProject(o.project, addManualTrack(project, rows, o.label));
  const frames = rows.map((r) => r.frame);
  const span = rows.length === 1 ? `frame ${frames[0]}` : `frames ${Math.min(...frames)}–${Math.max(...frames)} (${rows.length} frames)`;
  log.info(`added a manual track over ${span} to ${o.project}`);
  process.stdout.write(`${o.project}\n`);
  return 0;
}
