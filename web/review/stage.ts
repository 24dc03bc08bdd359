import { MIN_BOX } from '../../src/detect/box.js';
import { scoreText, boxAt, shownAction, type Box, type TrackView } from './model.js';

export const COLORS = { redact: '#ff3b3b', keep: '#35d435', candidate: '#ffb000', selected: '#00d8ff', drawn: '#ffffff', following: '#b266ff' } as const;

/** The smallest box a drag draws, in frame pixels each way: the box follower's own minimum. */
export { MIN_BOX };

/**
 * What a drag on the stage ends in: a new box drawn, one too small to be a box (less than MIN_BOX
 * either way; a click, without any move, keeps its meaning), or a track's box moved or resized on
 * this frame.
 */
export type StageEdit = { kind: 'drawn'; box: Box } | { kind: 'small'; box: Box } | { kind: 'moved'; id: number; box: Box };

/**
 * Suggestions outlined on a frame unless all are asked for: a group photo has ~95, whose dashed boxes
 * hid the faces. The selected one is always outlined; the panel, the lanes and N reach every one.
 */
export const BEST_SUGGESTIONS = 12;

type Handle = 'move' | 'nw' | 'ne' | 'sw' | 'se';
/** The corners' handles, in the order of corners(). */
const HANDLES: Handle[] = ['nw', 'ne', 'sw', 'se'];

/**
 * The frame and its overlay, drawn together on one canvas from one (frame, bitmap) pair, so the
 * boxes shown are always those of the exact frame shown. Coordinates in project pixels are scaled
 * to the canvas; mouse gestures select, move, resize or draw boxes.
 */
export class Stage {
  readonly canvas = document.createElement('canvas');
  private readonly ctx = this.canvas.getContext('2d')!;
  private bitmap: ImageBitmap | undefined;
  /** The frame the bitmap shows; undefined before the first one arrives. */
  frame: number | undefined;
  private drag: { handle: Handle; id?: number; start: { x: number; y: number }; box: Box; moved: boolean } | undefined;
  /** A box being drawn or just drawn, waiting for Follow or Static. */
  pending: Box | undefined;
  /** The drawn box while it is followed, drawn on its frame only, until the new track takes its place. */
  following: { frame: number; box: Box } | undefined;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly host: {
      tracks: () => TrackView[];
      selected: () => number | undefined;
      select: (id: number | undefined) => void;
      drawing: () => boolean;
      /** False while the anonymized result is shown: only the selected box is outlined then. */
      outlines: () => boolean;
      /** True: outline every suggestion on the frame, not only the BEST_SUGGESTIONS best. */
      allSuggestions: () => boolean;
      /** After each draw: the suggestions on the frame, and how many of them are outlined. */
      counted: (suggestions: number, shown: number) => void;
      edited: (e: StageEdit) => void;
    },
  ) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.className = 'stage';
    this.canvas.addEventListener('pointerdown', (e) => this.down(e));
    this.canvas.addEventListener('pointermove', (e) => this.move(e));
    this.canvas.addEventListener('pointerup', () => this.up());
  }

  show(frame: number, bitmap: ImageBitmap): void {
    this.bitmap?.close();
    this.bitmap = bitmap;
    this.frame = frame;
    this.draw();
  }

  draw(): void {
    const c = this.ctx;
    c.clearRect(0, 0, this.width, this.height);
    if (!this.bitmap || this.frame === undefined) return;
    c.drawImage(this.bitmap, 0, 0, this.width, this.height);
    // Lines and labels keep their size on screen whatever the frame's size: sizes are in screen pixels over the scale.
    const scale = this.scale();
    const handle = this.handle(scale) / scale;
    // At least 2 frame pixels, so that a box edge always covers one frame pixel whole.
    const line = Math.max(2, 2 / scale);
    const sel = this.host.selected();
    const outlines = this.host.outlines();
    for (const { t, b: at } of this.shown()) {
      if (!outlines && t.id !== sel) continue;
      const b = this.drag?.id === t.id ? this.drag.box : at;
      const colour = t.id === sel ? COLORS.selected : COLORS[shownAction(t)];
      c.lineWidth = t.id === sel ? line * 1.5 : line;
      c.strokeStyle = colour;
      c.setLineDash(t.action === 'candidate' ? [line * 4, line * 3] : []);
      c.strokeRect(b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1);
      c.setLineDash([]);
      c.fillStyle = colour;
      // Labels only where they fit: a crowd of small boxes stays readable.
      if (t.id === sel || (b.x2 - b.x1) * scale >= 40) {
        c.font = `${12 / scale}px system-ui, sans-serif`;
        c.fillText(`#${t.id}${t.action === 'candidate' ? ` ${scoreText(t.bestScore)}` : ''}`, b.x1, Math.max(12 / scale, b.y1 - line * 2));
      }
      if (t.id === sel && t.action !== 'candidate') for (const [x, y] of corners(b)) c.fillRect(x - handle / 2, y - handle / 2, handle, handle);
    }
    const p = this.drag && this.drag.id === undefined ? this.drag.box : this.pending;
    if (p) {
      c.lineWidth = line;
      c.strokeStyle = COLORS.drawn;
      c.setLineDash([line * 3, line * 3]);
      c.strokeRect(p.x1, p.y1, p.x2 - p.x1, p.y2 - p.y1);
      c.setLineDash([]);
    }
    // Shown in the result view too: it is not in the project yet, so nothing else shows it.
    const f = this.following;
    if (f && f.frame === this.frame) {
      const b = f.box;
      c.lineWidth = line * 1.5;
      c.strokeStyle = COLORS.following;
      c.strokeRect(b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1);
      // On a dark ground: violet text alone was lost on a busy picture.
      const text = 'following…';
      const size = 12 / scale;
      const y = Math.max(size + line, b.y1 - line);
      c.font = `${size}px system-ui, sans-serif`;
      c.fillStyle = 'rgba(0, 0, 0, 0.7)';
      c.fillRect(b.x1, y - size - line, c.measureText(text).width + 2 * line, size + 2 * line);
      c.fillStyle = COLORS.following;
      c.fillText(text, b.x1 + line, y - line);
    }
  }

  /**
   * The tracks and suggestions outlined on this frame with their boxes, in the host's order: every
   * track, and the BEST_SUGGESTIONS best-scoring suggestions plus the selected one (or all of them).
   * Says the count to the host.
   */
  private shown(): { t: TrackView; b: Box }[] {
    const sel = this.host.selected();
    const on = this.host
      .tracks()
      .map((t) => ({ t, b: boxAt(t, this.frame!) }))
      .filter((h): h is { t: TrackView; b: Box } => !!h.b);
    const cands = on.filter((h) => h.t.action === 'candidate').sort((a, b) => b.t.bestScore - a.t.bestScore);
    const hidden = new Set(this.host.allSuggestions() ? [] : cands.slice(BEST_SUGGESTIONS).map((h) => h.t.id));
    hidden.delete(sel!);
    this.host.counted(cands.length, cands.length - hidden.size);
    return on.filter((h) => !hidden.has(h.t.id));
  }

  /** Pointer position in frame pixels; the canvas is scaled with object-fit: contain, so the frame may be letterboxed. */
  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const scale = this.scale();
    const left = r.left + (r.width - this.width * scale) / 2;
    const top = r.top + (r.height - this.height * scale) / 2;
    return { x: (e.clientX - left) / scale, y: (e.clientY - top) / scale };
  }

  private down(e: PointerEvent): void {
    if (this.frame === undefined) return;
    const p = this.point(e);
    this.canvas.setPointerCapture(e.pointerId);
    if (this.host.drawing()) {
      // A click that draws nothing keeps the box drawn before (a new drag replaces it).
      this.drag = { handle: 'se', start: p, box: { x1: p.x, y1: p.y, x2: p.x, y2: p.y }, moved: false };
      return;
    }
    const grabbed = this.cornerAt(p);
    if (grabbed) return void (this.drag = { ...grabbed, start: p, moved: false });
    // The smallest box outlined under the pointer: nested boxes stay reachable.
    const hits = this.shown()
      .filter(({ b }) => p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2)
      .sort((a, b) => area(a.b) - area(b.b));
    const hit = hits[0];
    this.host.select(hit?.t.id);
    if (hit && hit.t.action !== 'candidate') this.drag = { handle: 'move', id: hit.t.id, start: p, box: hit.b, moved: false };
  }

  /**
   * The selected box's corner handle under `p` (frame pixels), if any. A corner grabs within a
   * handle's size around it (a target twice the square drawn), but never more than a third of the
   * box, so that a small box can still be moved from its middle.
   */
  private cornerAt(p: { x: number; y: number }): { handle: Handle; id: number; box: Box } | undefined {
    const sel = this.host.tracks().find((t) => t.id === this.host.selected());
    const box = sel && sel.action !== 'candidate' && this.frame !== undefined ? boxAt(sel, this.frame) : undefined;
    if (!sel || !box) return undefined;
    const scale = this.scale();
    const grab = Math.min(this.handle(scale) / scale, (box.x2 - box.x1) / 3, (box.y2 - box.y1) / 3);
    const k = corners(box).findIndex(([x, y]) => Math.abs(x - p.x) < grab && Math.abs(y - p.y) < grab);
    return k < 0 ? undefined : { handle: HANDLES[k]!, id: sel.id, box };
  }

  private move(e: PointerEvent): void {
    const d = this.drag;
    const p = this.point(e);
    if (!d) {
      // The pointer says what a press would do: resize at a corner, draw while drawing.
      const h = this.host.drawing() ? undefined : this.cornerAt(p)?.handle;
      this.canvas.style.cursor = h ? (h === 'nw' || h === 'se' ? 'nwse-resize' : 'nesw-resize') : '';
      return;
    }
    const dx = p.x - d.start.x;
    const dy = p.y - d.start.y;
    d.start = p;
    const b = { ...d.box };
    if (d.handle === 'move') Object.assign(b, { x1: b.x1 + dx, x2: b.x2 + dx, y1: b.y1 + dy, y2: b.y2 + dy });
    if (d.handle === 'nw' || d.handle === 'sw') b.x1 += dx;
    if (d.handle === 'ne' || d.handle === 'se') b.x2 += dx;
    if (d.handle === 'nw' || d.handle === 'ne') b.y1 += dy;
    if (d.handle === 'sw' || d.handle === 'se') b.y2 += dy;
    d.box = b;
    d.moved = true;
    this.draw();
  }

  /** Screen pixels per frame pixel: the canvas is scaled with object-fit: contain. */
  private scale(): number {
    const r = this.canvas.getBoundingClientRect();
    return Math.min(r.width / this.width, r.height / this.height) || 1;
  }

  /**
   * A corner handle's side in screen pixels: 1/60 of the picture's shorter displayed side, kept to
   * 6..12 px (small enough not to hide a small face, large enough to hit with a mouse).
   */
  private handle(scale: number): number {
    return Math.min(12, Math.max(6, (Math.min(this.width, this.height) * scale) / 60));
  }

  private up(): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d?.moved) return this.draw();
    const b = normal(d.box);
    if (d.id !== undefined) this.host.edited({ kind: 'moved', id: d.id, box: b });
    else if (b.x2 - b.x1 >= MIN_BOX && b.y2 - b.y1 >= MIN_BOX) {
      this.pending = b;
      this.host.edited({ kind: 'drawn', box: b });
    } else this.host.edited({ kind: 'small', box: b });
    this.draw();
  }
}

const corners = (b: Box): [number, number][] => [
  [b.x1, b.y1],
  [b.x2, b.y1],
  [b.x1, b.y2],
  [b.x2, b.y2],
];
const area = (b: Box): number => (b.x2 - b.x1) * (b.y2 - b.y1);
const normal = (b: Box): Box => ({ x1: Math.min(b.x1, b.x2), y1: Math.min(b.y1, b.y2), x2: Math.max(b.x1, b.x2), y2: Math.max(b.y1, b.y2) });
