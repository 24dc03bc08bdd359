import cliProgress from 'cli-progress';
import { progressLine, type LineState } from './progress-line.js';

/** One file's (or one batch's) bar. */
export interface Progress {
  update(done: number): void;
  /**
   * Ends the bar and leaves its last line on screen. `completed` means everything was processed: the
   * total becomes the count actually reached, so a finished bar reads 100% even when the container's
   * frame count was an estimate. A failed or interrupted file keeps its real count.
   */
  finish(completed: boolean): void;
}

/** The bars of one run, drawn on stderr below everything else the run prints. */
export interface ProgressDisplay {
  /** A new bar; several may be live at once (--jobs), each on its own line. */
  bar(label: string, total: number | undefined, unit: LineState['unit']): Progress;
  /**
   * Runs `write`, which prints whole lines to stdout or stderr, with the bars lifted out of the way,
   * then draws them again below: results and messages never land inside a bar.
   */
  above(write: () => void): void;
  /** Freezes every live bar as it is and draws nothing more (end of run, or Ctrl+C before the stop message). */
  stop(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, finish: () => undefined };
const NO_DISPLAY: ProgressDisplay = { bar: () => NO_PROGRESS, above: (write) => write(), stop: () => undefined };

/** cli-progress's terminal helper: not in its typings, but the one thing that knows where the bars are. */
interface Terminal {
  cursorRelativeReset(): void;
  clearBottom(): void;
  getWidth(): number;
}

/**
 * Bars by cli-progress's MultiBar, on a terminal only: `enabled` is false when stderr is not a TTY
 * or with --quiet, and then nothing at all is drawn, so that logs and pipes stay clean. No colours
 * are used, so NO_COLOR needs nothing here.
 */
export function createProgressDisplay(opts: { enabled: boolean; stream?: NodeJS.WriteStream; now?: () => number; env?: NodeJS.ProcessEnv }): ProgressDisplay {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  if (opts.enabled && !stream.isTTY && (opts.env ?? process.env).FACEBLUR_PROGRESS === '1') return pipedDisplay(stream, now);
  if (!opts.enabled || !stream.isTTY) return NO_DISPLAY;
  const multi = new cliProgress.MultiBar({
    stream,
    // Our own line: cli-progress's formatter has no ellipsis for long names and no frames-per-second.
    format: (_o, params, payload: { state: LineState; start: number }) => {
      payload.state.elapsed = (now() - payload.start) / 1000;
      return progressLine(payload.state, params.maxWidth);
    },
    fps: 10,
    // A bar whose text is unchanged must still be redrawn after a message was printed above it.
    forceRedraw: true,
    clearOnComplete: true,
    hideCursor: false,
    gracefulExit: false,
  });
  const terminal = (multi as unknown as { terminal: Terminal }).terminal;
  const live = new Set<() => void>();
  let started = false;
  let stopped = false;
  return {
    bar(label, total, unit) {
      if (stopped) return NO_PROGRESS;
      started = true;
      const state: LineState = { label, done: 0, total, elapsed: 0, unit };
      const start = now();
      const bar = multi.create(total ?? 0, 0, { state, start });
      let open = true;
      const end = (completed: boolean) => {
        if (!open) return;
        open = false;
        live.delete(freeze);
        if (completed) state.total = state.done;
        state.elapsed = (now() - start) / 1000;
        multi.log(`${progressLine(state, terminal.getWidth())}\n`);
        multi.remove(bar);
      };
      const freeze = () => end(false);
      live.add(freeze);
      return {
        update(done) {
          state.done = done;
          bar.update(done);
        },
        finish: end,
      };
    },
    above(write) {
      // Before the first bar, and after the last, there is nothing to lift.
      if (!started || stopped) return write();
      terminal.cursorRelativeReset();
      terminal.clearBottom();
      write();
      multi.update();
    },
    stop() {
      if (stopped) return;
      for (const freeze of [...live]) freeze();
      stopped = true;
      if (started) multi.stop();
    },
  };
}

/** Time between two progress lines written into a pipe, in milliseconds. */
const PIPED_INTERVAL_MS = 250;

/**
 * FACEBLUR_PROGRESS=1 with stderr not a terminal: one plain progress line (as the bar's text, ending
 * in a newline) at most every PIPED_INTERVAL_MS per bar, and the last one when it ends, for a parent
 * process that reads them (faceblur review's analyze and export jobs).
 */
function pipedDisplay(stream: NodeJS.WritableStream, now: () => number): ProgressDisplay {
  return {
    bar(label, total, unit) {
      const start = now();
      const state: LineState = { label, done: 0, total, elapsed: 0, unit };
      let writtenAt = -Infinity;
      const write = () => {
        state.elapsed = (now() - start) / 1000;
        writtenAt = now();
        stream.write(`${progressLine(state, 200)}\n`);
      };
      return {
        update(done) {
          state.done = done;
          if (now() - writtenAt >= PIPED_INTERVAL_MS) write();
        },
        finish(completed) {
          if (completed) state.total = state.done;
          write();
        },
      };
    },
    above: (write) => write(),
    stop: () => undefined,
  };
}
