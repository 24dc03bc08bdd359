import { basename } from 'node:path';

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, finish: () => undefined };

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * One redrawn line per file on a TTY: name, bar, frames, fps and ETA. Off when stderr is not a
 * terminal or with --quiet, so that logs and pipes stay clean.
 */
export function createProgress(
  file: string,
  total: number | undefined,
  opts: { enabled: boolean; stream?: NodeJS.WriteStream; now?: () => number; unit?: string },
): Progress {
  if (!opts.enabled) return NO_PROGRESS;
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let last = 0;
  let done = 0;
  const name = basename(file).slice(0, 28);
  const draw = () => {
    const elapsed = (now() - start) / 1000;
    const fps = elapsed > 0 ? done / elapsed : 0;
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
    const frac = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '-')}] ` : '';
    const count = total ? `${done}/${total}` : `${done}`;
    const eta = total && fps > 0 ? clock((total - done) / fps) : '--:--';
    const rate = opts.unit ? `${(fps * 60).toFixed(1)}/min` : `${fps.toFixed(1)} fps`;
    stream.write(`\r\x1b[2K${name} ${bar}${count} ${opts.unit ?? 'frames'} ${rate} ETA ${eta}`);
  };
  return {
    update(n) {
      done = n;
      const t = now();
      if (t - last < 100) return;
      last = t;
      draw();
    },
    finish() {
      draw();
      stream.write('\n');
    },
  };
}
