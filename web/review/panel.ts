import { Thumbnails } from './thumbs.js';
import { clock, firstFrame, lastFrame, shownAction, stateText, type TrackView } from './model.js';

/** Row height in pixels; the list draws only the rows in view, so 200 or 2,000 tracks cost the same. */
export const ROW = 56;

export interface PanelHost {
  seek(frame: number): void;
  select(id: number): void;
  selected(): number | undefined;
  act(body: Record<string, unknown>): void;
  time(frame: number): number;
  /** False on a photo: rows then show no times. */
  video: boolean;
}

/**
 * The tracks panel: one row per track, then per candidate, each with a thumbnail of its best-scoring
 * crop, its time on screen and its state. Virtualized: a spacer as tall as all rows, and only the
 * visible rows (plus a few) in the DOM.
 */
export class TrackList {
  readonly el = document.createElement('div');
  private readonly spacer = document.createElement('div');
  private rows: TrackView[] = [];
  private readonly thumbs = new Thumbnails();

  constructor(private readonly host: PanelHost) {
    this.el.className = 'tracklist';
    this.spacer.className = 'spacer';
    this.el.append(this.spacer);
    this.el.addEventListener('scroll', () => this.render());
  }

  set(rows: TrackView[]): void {
    this.rows = rows;
    this.render();
  }

  /** Scrolls so that the track's row is in view. */
  reveal(id: number): void {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return;
    const top = i * ROW;
    if (top < this.el.scrollTop || top + ROW > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top - this.el.clientHeight / 2;
    this.render();
  }

  render(): void {
    this.spacer.style.height = `${this.rows.length * ROW}px`;
    const first = Math.max(0, Math.floor(this.el.scrollTop / ROW) - 3);
    const last = Math.min(this.rows.length, Math.ceil((this.el.scrollTop + this.el.clientHeight) / ROW) + 3);
    const sel = this.host.selected();
    const nodes: HTMLElement[] = [];
    for (let i = first; i < last; i++) nodes.push(this.row(this.rows[i]!, i, sel));
    this.spacer.replaceChildren(...nodes);
  }

  private row(t: TrackView, i: number, sel: number | undefined): HTMLElement {
    const row = document.createElement('div');
    row.className = `row ${shownAction(t)}${t.id === sel ? ' selected' : ''}`;
    row.style.top = `${i * ROW}px`;
    row.dataset.id = String(t.id);
    const img = document.createElement('img');
    img.alt = '';
    this.thumbs.show(img, t.id, t.bestFrame);
    const text = document.createElement('div');
    text.className = 'text';
    // The origin goes on the state line: on the first it pushed the time range out of sight.
    const origin = t.origin === 'manual' || t.origin === 'static' ? ` (${t.origin})` : '';
    const state = `${stateText(t, true)}${t.action === 'candidate' ? '' : origin}`;
    text.innerHTML = '<b></b> <span class="when"></span><br><span class="state"></span>';
    text.querySelector('b')!.textContent = `#${t.id}${t.label ? ` ${t.label}` : ''}`;
    if (this.host.video) text.querySelector('.when')!.textContent = `${clock(this.host.time(firstFrame(t)))}–${clock(this.host.time(lastFrame(t)))}`;
    text.querySelector('.state')!.textContent = state;
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const button = (label: string, title: string, body: Record<string, unknown>) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.title = title;
      b.dataset.op = String(body.op) + (body.action ? `-${String(body.action)}` : '');
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        this.host.act(body);
      });
      buttons.append(b);
    };
    if (t.action === 'candidate') {
      button('✓', 'accept: redact it (A)', { op: 'accept', id: t.id });
      button('✗', 'dismiss: not a face (X)', { op: 'dismiss', id: t.id });
    } else {
      if (t.action === 'keep') button('redact', 'redact this track (R)', { op: 'setAction', id: t.id, action: 'redact' });
      else button('keep', 'keep this person visible (K)', { op: 'setAction', id: t.id, action: 'keep' });
      button('⌫', 'delete this track (Delete)', { op: 'delete', id: t.id });
    }
    row.append(img, text, buttons);
    row.addEventListener('click', () => {
      this.host.select(t.id);
      this.host.seek(firstFrame(t));
    });
    return row;
  }
}
