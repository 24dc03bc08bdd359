/** What one progress line shows. */
export interface LineState {
  /** The file's name, or e.g. "file 2 of 6: clip.mp4" in a batch. */
  label: string;
  done: number;
  /** Undefined when the length is not known (no frame count from the container): no bar, no ETA. */
  total: number | undefined;
  /** Seconds since the bar started. */
  elapsed: number;
  /** `frames` shows frames per second; `files` shows files per minute. */
  unit: 'frames' | 'files';
}

/** m:ss or h:mm:ss for a non-negative number of seconds; --:-- when unknown. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `text` in at most `width` characters: cut in the middle with an ellipsis, so that the start and the extension stay. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, Math.max(0, width));
  const head = Math.ceil((width - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (width - 1 - head)).join('')}`;
}

/**
 * One progress line, at most `columns` characters: label, bar, count, rate and ETA. The rate and ETA
 * are averages since the start (steadier than a window over the last frames while the detector warms up).
 */
export function progressLine(s: LineState, columns: number): string {
  const fps = s.elapsed > 0 ? s.done / s.elapsed : 0;
  const rate = s.unit === 'files' ? `${(fps * 60).toFixed(1)}/min` : `${fps.toFixed(1)} fps`;
  const count = s.total !== undefined ? `${s.done}/${s.total}` : `${s.done}`;
  const eta = s.total !== undefined && fps > 0 ? clock((s.total - s.done) / fps) : '--:--';
  const tail = ` ${count} ${s.unit} ${rate} ETA ${eta}`;
  // The bar's width depends on the terminal only, so that bars of different lengths line up.
  const barWidth = s.total !== undefined ? Math.max(10, Math.min(30, columns - 70)) : 0;
  const room = columns - 1 - tail.length - (barWidth > 0 ? barWidth + 3 : 0);
  const label = fit(s.label, Math.max(8, Math.min(40, room)));
  if (s.total === undefined) return `${label}${tail}`.slice(0, columns - 1);
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 1;
  // Rounded down: the bar is full only when everything is done.
  const bar = `[${'#'.repeat(Math.floor(frac * barWidth)).padEnd(barWidth, '-')}]`;
  return `${label} ${bar}${tail}`.slice(0, columns - 1);
}
