import { COLORS } from './stage.js';
import { spans, type TrackView } from './model.js';

/** Pixels per lane; lanes follow the tracks panel's order. */
const LANE = 10;
/** Height of the seek bar above the lanes. */
const SEEK = 18;

/**
 * The timeline: a seek bar with the playhead, then one lane per track and candidate showing when it
 * is on screen. Only the lanes scrolled into view are drawn.
 */
export class Timeline {
  readonly el = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly spacer = document.createElement('div');
  private rows: { t: TrackView; spans: [number, number][] }[] = [];
  private frame = 0;

  constructor(
    private readonly frameCount: number,
    private readonly host: { seek(frame: number): void; selected(): number | undefined },
  ) {
    this.el.className = 'timeline';
    this.canvas.className = 'lanes';
    this.spacer.className = 'spacer';
    this.el.append(this.canvas, this.spacer);
    this.el.addEventListener('scroll', () => this.draw());
    new ResizeObserver(() => this.draw()).observe(this.el);
    let dragging = false;
    const seekTo = (e: PointerEvent) => {
      const r = this.canvas.getBoundingClientRect();
      this.host.seek(Math.round(Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * (this.frameCount - 1)));
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      seekTo(e);
    });
    this.canvas.addEventListener('pointermove', (e) => dragging && seekTo(e));
    this.canvas.addEventListener('pointerup', () => (dragging = false));
  }

  set(tracks: TrackView[]): void {
    this.rows = tracks.map((t) => ({ t, spans: spans(t) }));
    this.draw();
  }

  at(frame: number): void {
    this.frame = frame;
    this.draw();
  }

  draw(): void {
    const w = this.el.clientWidth;
    const h = this.el.clientHeight;
    if (w === 0 || h === 0) return;
    this.spacer.style.height = `${SEEK + this.rows.length * LANE}px`;
    this.canvas.width = w;
    this.canvas.height = h;
    this.canvas.style.top = `${this.el.scrollTop}px`;
    const c = this.canvas.getContext('2d')!;
    const x = (f: number) => (f / Math.max(1, this.frameCount - 1)) * (w - 1);
    c.fillStyle = '#222';
    c.fillRect(0, 0, w, h);
    const first = Math.floor(this.el.scrollTop / LANE);
    const sel = this.host.selected();
    for (let i = first; i < this.rows.length; i++) {
      const y = SEEK + (i - first) * LANE;
      if (y > h) break;
      const { t, spans } = this.rows[i]!;
      c.fillStyle = t.id === sel ? COLORS.selected : COLORS[t.action];
      for (const [a, b] of spans) c.fillRect(x(a), y + 2, Math.max(2, x(b + 1) - x(a)), LANE - 4);
    }
    c.fillStyle = '#333';
    c.fillRect(0, 0, w, SEEK);
    c.fillStyle = '#888';
    c.fillRect(0, SEEK / 2 - 2, x(this.frame), 4);
    c.fillStyle = '#fff';
    c.fillRect(x(this.frame) - 1, 0, 2, h);
  }
}
