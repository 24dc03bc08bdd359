import { COLORS } from './stage.js';
import { shownAction, spans, stateText, type TrackView } from './model.js';

/** Pixels per lane: room for one line of its label. Lanes follow the tracks panel's order. */
const LANE = 16;

/** A lane's label: id, name, and state, as in the tracks panel. */
export function laneLabel(t: TrackView): string {
  return `#${t.id}${t.label ? ` ${t.label}` : ''} · ${stateText(t, false)}`;
}

/**
 * The timeline: a seek bar with the playhead, then one labelled lane per track and suggestion showing
 * when it is on screen. The lanes scroll inside the timeline's box; only those in view are drawn
 * (and labelled), so 2,000 tracks cost what 20 do.
 */
export class Timeline {
  readonly el = document.createElement('div');
  private readonly seekbar = document.createElement('canvas');
  private readonly scroller = document.createElement('div');
  private readonly layer = document.createElement('div');
  private readonly labels = document.createElement('div');
  private readonly lanes = document.createElement('canvas');
  private readonly spacer = document.createElement('div');
  private rows: { t: TrackView; spans: [number, number][] }[] = [];
  private frame = 0;
  private marked: [number, number] | undefined;

  constructor(
    private readonly frameCount: number,
    private readonly host: { seek(frame: number): void; select(id: number): void; selected(): number | undefined },
  ) {
    this.el.className = 'timeline';
    this.el.innerHTML = '<div class="seekrow"><span class="corner">time ▸</span></div>';
    this.el.firstElementChild!.append(this.seekbar);
    this.seekbar.className = 'seekbar';
    this.scroller.className = 'lanescroll';
    this.layer.className = 'lanelayer';
    this.labels.className = 'lanelabels';
    this.lanes.className = 'lanes';
    this.spacer.className = 'spacer';
    this.layer.append(this.labels, this.lanes);
    this.scroller.append(this.layer, this.spacer);
    this.el.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.draw());
    new ResizeObserver(() => this.draw()).observe(this.el);
    for (const canvas of [this.seekbar, this.lanes]) this.seekOnDrag(canvas);
    this.labels.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-id]')?.dataset.id;
      if (id !== undefined) this.host.select(Number(id));
    });
  }

  set(tracks: TrackView[]): void {
    this.rows = tracks.map((t) => ({ t, spans: spans(t) }));
    this.draw();
  }

  at(frame: number): void {
    this.frame = frame;
    this.draw();
  }

  /** Shades frames first..last on the seek bar (a static box's in..out), or nothing. */
  mark(range: [number, number] | undefined): void {
    this.marked = range;
    this.drawSeekbar();
  }

  /** Scrolls so that the track's lane is in view. */
  reveal(id: number): void {
    const i = this.rows.findIndex((r) => r.t.id === id);
    const s = this.scroller;
    if (i >= 0 && (i * LANE < s.scrollTop || (i + 1) * LANE > s.scrollTop + s.clientHeight)) s.scrollTop = i * LANE - s.clientHeight / 2;
    this.draw();
  }

  draw(): void {
    this.drawSeekbar();
    const s = this.scroller;
    const w = this.lanes.clientWidth;
    const h = s.clientHeight;
    if (w === 0 || h === 0) return;
    this.spacer.style.height = `${this.rows.length * LANE}px`;
    this.layer.style.top = `${s.scrollTop}px`;
    this.layer.style.height = `${h}px`;
    this.lanes.width = w;
    this.lanes.height = h;
    const c = this.lanes.getContext('2d')!;
    const x = this.xOf(w);
    c.fillStyle = '#1b1b1b';
    c.fillRect(0, 0, w, h);
    const first = Math.floor(s.scrollTop / LANE);
    const offset = first * LANE - s.scrollTop;
    const sel = this.host.selected();
    const labels: HTMLElement[] = [];
    for (let i = first; i < this.rows.length; i++) {
      const y = offset + (i - first) * LANE;
      if (y > h) break;
      const { t, spans } = this.rows[i]!;
      const colour = t.id === sel ? COLORS.selected : COLORS[shownAction(t)];
      if (t.id === sel) {
        c.fillStyle = '#103844';
        c.fillRect(0, y, w, LANE);
      }
      c.fillStyle = colour;
      for (const [a, b] of spans) c.fillRect(x(a), y + 3, Math.max(2, x(b + 1) - x(a)), LANE - 6);
      const label = document.createElement('div');
      label.className = `lanelabel ${shownAction(t)}${t.id === sel ? ' selected' : ''}`;
      label.style.top = `${y}px`;
      label.dataset.id = String(t.id);
      label.textContent = laneLabel(t);
      label.title = laneLabel(t);
      labels.push(label);
    }
    this.labels.replaceChildren(...labels);
    c.fillStyle = '#fff';
    c.fillRect(x(this.frame) - 1, 0, 2, h);
  }

  /** x of frame f's left edge on a canvas `w` pixels wide (seek bar and lanes share it). */
  private xOf(w: number): (f: number) => number {
    return (f) => (f / Math.max(1, this.frameCount - 1)) * (w - 1);
  }

  private drawSeekbar(): void {
    const w = this.seekbar.clientWidth;
    const h = this.seekbar.clientHeight;
    if (w === 0 || h === 0) return;
    this.seekbar.width = w;
    this.seekbar.height = h;
    const c = this.seekbar.getContext('2d')!;
    const x = this.xOf(w)(this.frame);
    c.fillStyle = '#333';
    c.fillRect(0, 0, w, h);
    if (this.marked) {
      const at = this.xOf(w);
      c.fillStyle = '#5a5a8c';
      c.fillRect(at(this.marked[0]), 0, Math.max(2, at(this.marked[1] + 1) - at(this.marked[0])), h);
    }
    c.fillStyle = '#888';
    c.fillRect(0, h / 2 - 2, x, 4);
    c.fillStyle = '#fff';
    c.fillRect(x - 1, 0, 2, h);
  }

  private seekOnDrag(canvas: HTMLCanvasElement): void {
    let dragging = false;
    const seekTo = (e: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      this.host.seek(Math.round(Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * (this.frameCount - 1)));
    };
    canvas.addEventListener('pointerdown', (e) => {
      dragging = true;
      canvas.setPointerCapture(e.pointerId);
      seekTo(e);
    });
    canvas.addEventListener('pointermove', (e) => dragging && seekTo(e));
    canvas.addEventListener('pointerup', () => (dragging = false));
  }
}
