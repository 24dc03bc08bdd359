import type { Frame } from '../media/frame.js';
import { encodeJpeg, frameToRgb } from './jpeg.js';
import { openBrowser } from './open-browser.js';
import { startPreviewServer, type PreviewServer } from './preview-server.js';
import { StatsWindow } from './stats.js';
import type { Progress } from '../ui/progress.js';

export interface PreviewFeed {
  /**
   * Offers an anonymized frame to the preview. The pixels are copied before this returns, so the
   * frame may be reused at once; `readAt` (ms) is when the frame was read, for the latency figure.
   */
  show(frame: Frame, faces: number, readAt: number): void;
  /** Waits for the JPEG still being made, if any. */
  drain(): Promise<void>;
}

/** File --preview makes JPEGs at most this often, so that the preview costs the file job almost nothing. */
const FILE_PREVIEW_FPS = 15;

/**
 * Turns frames into JPEGs for the preview server, one at a time: while one is being encoded (on
 * libuv's threads), newer frames are skipped rather than queued. `everyFrame` (live capture) makes
 * a JPEG of every frame it can; otherwise (file --preview) only while someone watches, at most
 * FILE_PREVIEW_FPS a second.
 */
function createPreviewFeed(server: PreviewServer, stats: StatsWindow, everyFrame: boolean): PreviewFeed {
  let busy: Promise<void> | undefined;
  let lastAt = -Infinity;
  return {
    show(frame, faces, readAt) {
      const now = performance.now();
      if (busy || (!everyFrame && (!server.watched || now - lastAt < 1000 / FILE_PREVIEW_FPS))) return;
      lastAt = now;
      const { width, height } = frame;
      const rgb = frameToRgb(frame);
      busy = encodeJpeg(rgb, width, height)
        .then((jpeg) => {
          server.publish(jpeg);
          const served = performance.now();
          stats.add(served, served - readAt, faces, width, height);
        })
        .finally(() => (busy = undefined));
    },
    drain: async () => {
      await busy;
    },
  };
}

/** A file job's own progress as the preview page shows it (not the preview's frame rate). */
interface JobState {
  file: string;
  fileNumber: number;
  total: number | undefined;
  done: number;
  startedAt: number;
}

export interface Preview {
  server: PreviewServer;
  feed: PreviewFeed;
  stats: StatsWindow;
  /** File mode: follows one file's progress (frames done of `total`) for the page. */
  job(file: string, total: number | undefined): Progress;
}

/**
 * Starts the preview server, prints its address on stderr (the one line users look for) and opens
 * the browser. `files`: the number of files of a file job (the page shows their progress); absent
 * for live capture (the page shows fps and latency).
 */
export async function openPreview(o: { title: string; port: number; open: boolean; everyFrame: boolean; dropped: () => number; files?: number }): Promise<Preview> {
  const stats = new StatsWindow();
  let current: JobState | undefined;
  let started = 0;
  const jobFigures = (now: number) => {
    if (!current) return undefined;
    const secs = (now - current.startedAt) / 1000;
    const fps = secs > 0 ? current.done / secs : 0;
    const left = current.total === undefined || fps === 0 ? undefined : (current.total - current.done) / fps;
    return { file: current.file, fileNumber: current.fileNumber, files: o.files, done: current.done, total: current.total, fps, etaSeconds: left ?? null };
  };
  const server = await startPreviewServer({
    port: o.port,
    title: o.title,
    mode: o.files === undefined ? 'live' : 'files',
    stats: () => ({ ...stats.read(performance.now(), o.dropped()), job: jobFigures(performance.now()) }),
  });
  process.stderr.write(`Preview: ${server.url}\n`);
  if (o.open) openBrowser(server.url);
  return {
    server,
    stats,
    feed: createPreviewFeed(server, stats, o.everyFrame),
    job(file, total) {
      const state: JobState = { file, fileNumber: ++started, total, done: 0, startedAt: performance.now() };
      current = state;
      return {
        update: (done) => {
          state.done = done;
          current = state;
        },
        finish: () => undefined,
      };
    },
  };
}
