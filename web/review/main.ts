import { getFrame, getProject, getState, post } from './api.js';
import { clock, firstFrame, uncertainStarts, type Box, type ProjectView, type ReviewState, type TrackView } from './model.js';
import { TrackList } from './panel.js';
import { Stage, type StageEdit } from './stage.js';
import { commandForKey, SHORTCUTS } from './keys.js';
import { Timeline } from './timeline.js';

const $ = <T extends HTMLElement>(html: string): T => {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild as T;
};

/** The editor: one project view, the frame shown, the selection, and the loops that keep them fresh. */
class Editor {
  private project!: ProjectView;
  private tracks: TrackView[] = [];
  private uncertain: number[] = [];
  private selectedId: number | undefined;
  private wanted = 0;
  private loading = false;
  private playing: { wall: number; time: number } | undefined;
  private result = false;
  private drawing = false;
  private inFrame: number | undefined;
  private outFrame: number | undefined;
  private state!: ReviewState;
  private stage!: Stage;
  private list!: TrackList;
  private timeline!: Timeline;
  private readonly root = document.getElementById('app')!;
  private readonly status = $<HTMLSpanElement>('<span class="status"></span>');
  private readonly jobBar = $<HTMLDivElement>('<div class="job" hidden><progress max="1" value="0"></progress> <span></span> <button data-k="cancel">cancel</button></div>');
  private readonly clockEl = $<HTMLSpanElement>('<span class="clock"></span>');
  private readonly message = $<HTMLDivElement>('<div class="message" role="status"></div>');
  private readonly drawBar = $<HTMLDivElement>(
    '<div class="drawbar" hidden>drawn box: <button data-k="follow">follow it (F)</button> <button data-k="static">static from in to out (S)</button> <span class="range"></span> <button data-k="drop">drop (Esc)</button></div>',
  );

  async start(): Promise<void> {
    this.root.textContent = '';
    this.root.append(this.status, this.jobBar, this.message);
    // The job bar's cancel works from the start: the first analysis runs before the editor (and its
    // delegated click handler) is built.
    this.jobBar.querySelector('button')!.addEventListener('click', (e) => {
      e.stopPropagation();
      void this.send('api/cancel');
    });
    await this.poll();
    setInterval(() => void this.poll(), 400);
    document.addEventListener('keydown', (e) => this.key(e));
  }

  private async poll(): Promise<void> {
    try {
      const s = await getState();
      const first = !this.state;
      const changed = !first && s.revision !== this.state.revision;
      this.state = s;
      if (s.phase === 'ready' && !this.project) await this.build();
      else if (changed && this.project) await this.reload();
      this.showState();
      if (first && s.phase !== 'ready') this.status.textContent = s.phase === 'analyzing' ? 'analyzing the input…' : '';
    } catch (err) {
      this.status.textContent = `disconnected: ${(err as Error).message}`;
    }
  }

  private showState(): void {
    const s = this.state;
    if (s.phase === 'failed') this.say(`cannot review: ${s.error}`, true);
    if (s.phase === 'ready') this.status.textContent = s.saveError ? s.saveError : s.saved ? 'saved ✓' : 'saving…';
    this.status.dataset.saved = String(s.saved);
    const j = s.job;
    this.jobBar.hidden = !j;
    if (j) {
      const bar = this.jobBar.querySelector('progress')!;
      if (j.total > 0) bar.value = j.done / j.total;
      else bar.removeAttribute('value');
      if (j.state !== 'running') bar.value = j.state === 'done' ? 1 : bar.value;
      this.jobBar.dataset.kind = j.kind;
      this.jobBar.dataset.state = j.state;
      const what = { analyze: 'analyzing', follow: 'following the box', export: 'exporting' }[j.kind];
      this.jobBar.querySelector('span')!.textContent =
        j.state === 'running' ? `${what}… ${j.total ? `${j.done}/${j.total} frames` : ''}` : j.message ?? `${j.kind} ${j.state}`;
      this.jobBar.querySelector('button')!.hidden = j.state !== 'running';
    }
    for (const [k, on] of [['undo', s.canUndo], ['redo', s.canRedo]] as const) {
      const b = this.root.querySelector<HTMLButtonElement>(`[data-k="${k}"]`);
      if (b) b.disabled = !on;
    }
  }

  private async build(): Promise<void> {
    this.project = await getProject();
    const { input } = this.project;
    this.root.textContent = '';
    const header = $<HTMLElement>(
      `<header><b class="title"></b> <span class="spacer"></span></header>`,
    );
    header.querySelector('.title')!.textContent = `faceblur review — ${input.name}`;
    header.append(this.status, $('<button data-k="undo" title="Ctrl+Z">undo</button>'), $('<button data-k="redo" title="Ctrl+Shift+Z">redo</button>'), $('<button data-k="export" class="primary">Export</button>'));
    this.stage = new Stage(input.width, input.height, {
      tracks: () => this.tracks,
      selected: () => this.selectedId,
      select: (id) => this.select(id),
      drawing: () => this.drawing,
      outlines: () => !this.result,
      edited: (e) => this.stageEdit(e),
    });
    this.list = new TrackList({
      seek: (f) => this.seek(f),
      select: (id) => this.select(id),
      selected: () => this.selectedId,
      act: (body) => void this.act(body),
      time: (f) => this.time(f),
    });
    this.timeline = new Timeline(input.frameCount, { seek: (f) => this.seek(f), selected: () => this.selectedId });
    const side = $<HTMLElement>(
      '<aside><div class="panelhead"><b class="count"></b> <label>accept all suggestions ≥ <input type="number" min="0" max="1" step="0.05" value="0.3" class="above"></label> <button data-k="above">accept</button></div></aside>',
    );
    side.append(this.list.el);
    const controls = $<HTMLElement>(`<div class="controls">
      <button data-k="back1s" title="Shift+←">◀◀</button><button data-k="back1" title="←">◀</button><button data-k="play" title="Space">▶</button><button data-k="fwd1" title="→">▶</button><button data-k="fwd1s" title="Shift+→">▶▶</button>
      </div>`);
    controls.append(
      this.clockEl,
      $('<label><input type="checkbox" data-k="result"> show result (V)</label>'),
      $('<button data-k="draw" title="B">draw box (B)</button>'),
      $('<button data-k="next" title="N">next uncertain (N)</button>'),
      $('<button data-k="help">? keys</button>'),
    );
    const help = $<HTMLElement>('<dl class="help" hidden></dl>');
    for (const [k, v] of SHORTCUTS) help.append($(`<dt>${k}</dt>`), Object.assign(document.createElement('dd'), { textContent: v }));
    const main = $<HTMLElement>('<main></main>');
    const player = $<HTMLElement>('<section class="player"></section>');
    player.append(this.stage.canvas, this.drawBar, controls, help);
    main.append(player, side);
    this.root.append(header, this.jobBar, this.message, main, this.timeline.el);
    this.root.addEventListener('click', (e) => {
      const k = (e.target as HTMLElement).closest<HTMLElement>('[data-k]')?.dataset.k;
      if (k && (e.target as HTMLElement).tagName !== 'INPUT') this.command(k);
    });
    this.root.querySelector<HTMLInputElement>('[data-k="result"]')!.addEventListener('change', (e) => this.toggleResult((e.target as HTMLInputElement).checked));
    this.apply();
    this.seek(0);
  }

  private async reload(): Promise<void> {
    this.project = await getProject();
    this.apply();
    if (this.result) this.refresh();
    else this.stage.draw();
  }

  /** Rows: tracks first (redacted and kept), then suggestions by score. */
  private apply(): void {
    const tracks = this.project.tracks.filter((t) => t.action !== 'candidate').sort((a, b) => firstFrame(a) - firstFrame(b));
    const cands = this.project.tracks.filter((t) => t.action === 'candidate').sort((a, b) => b.bestScore - a.bestScore);
    this.tracks = [...tracks, ...cands];
    this.uncertain = uncertainStarts(this.tracks);
    if (this.selectedId !== undefined && !this.tracks.some((t) => t.id === this.selectedId)) this.selectedId = undefined;
    this.root.querySelector('.count')!.textContent = `Tracks (${tracks.length}) · Suggestions (${cands.length})`;
    this.list.set(this.tracks);
    this.timeline.set(this.tracks);
  }

  private time(frame: number): number {
    return this.project.input.timestamps[frame] ?? 0;
  }

  /** Shows frame `f` (clamped); while one frame loads, only the newest request waits. */
  seek(f: number): void {
    this.wanted = Math.max(0, Math.min(this.project.input.frameCount - 1, Math.round(f)));
    this.timeline.at(this.wanted);
    void this.load();
  }

  private refresh(): void {
    this.stage.frame = undefined;
    void this.load();
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      while (this.stage.frame !== this.wanted) {
        const n = this.wanted;
        const bitmap = await getFrame(n, this.result);
        this.stage.show(n, bitmap);
        this.showClock();
      }
    } catch (err) {
      this.say((err as Error).message, true);
    } finally {
      this.loading = false;
    }
    if (this.playing) this.tick();
  }

  private showClock(): void {
    const n = this.stage.frame ?? 0;
    const { input } = this.project;
    this.clockEl.textContent = `${clock(this.time(n))} / ${clock(input.duration)}  frame ${n} / ${input.frameCount - 1}`;
    this.clockEl.dataset.frame = String(n);
  }

  /** Playback follows the wall clock from the frame's own timestamp; frames that cannot be fetched in time are skipped. */
  private tick(): void {
    const p = this.playing!;
    const t = p.time + (performance.now() - p.wall) / 1000;
    const ts = this.project.input.timestamps;
    let n = this.stage.frame ?? 0;
    while (n + 1 < ts.length && ts[n + 1]! <= t) n++;
    if (n >= ts.length - 1) return this.pause();
    if (n === this.stage.frame) return void setTimeout(() => this.playing && this.tick(), Math.max(1, (ts[n + 1]! - t) * 1000));
    this.seek(n);
  }

  private play(): void {
    if (this.playing) return this.pause();
    this.playing = { wall: performance.now(), time: this.time(this.stage.frame ?? 0) };
    this.root.querySelector('[data-k="play"]')!.textContent = '❚❚';
    this.tick();
  }

  private pause(): void {
    this.playing = undefined;
    this.root.querySelector('[data-k="play"]')!.textContent = '▶';
  }

  private step(frames: number): void {
    this.pause();
    this.seek(this.wanted + frames);
  }

  private stepSeconds(s: number): void {
    this.pause();
    const t = this.time(this.wanted) + s;
    const ts = this.project.input.timestamps;
    let n = 0;
    while (n + 1 < ts.length && ts[n + 1]! <= t + 1e-6) n++;
    this.seek(n);
  }

  private select(id: number | undefined): void {
    this.selectedId = id;
    if (id !== undefined) this.list.reveal(id);
    else this.list.render();
    this.stage.draw();
    this.timeline.draw();
  }

  private toggleResult(on: boolean): void {
    this.result = on;
    this.root.querySelector<HTMLInputElement>('[data-k="result"]')!.checked = on;
    this.refresh();
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
  }

  private async act(body: Record<string, unknown>): Promise<void> {
    await this.send('api/action', body);
  }

  private async send(path: string, body: unknown = {}): Promise<void> {
    try {
      this.state = await post(path, body);
      this.say('');
      await this.reload();
      this.showState();
    } catch (err) {
      this.say((err as Error).message, true);
    }
  }

  private stageEdit(e: StageEdit): void {
    if (e.kind === 'moved') void this.act({ op: 'keyframe', id: e.id, frame: this.stage.frame, box: e.box });
    else this.showDrawBar();
  }

  private showDrawBar(): void {
    const has = !!this.stage.pending;
    this.drawBar.hidden = !has;
    const last = this.project.input.frameCount - 1;
    this.drawBar.querySelector('.range')!.textContent = `in ${this.inFrame ?? this.stage.frame} · out ${this.outFrame ?? last} (I / O)`;
  }

  private dropDrawn(): void {
    this.stage.pending = undefined;
    this.drawing = false;
    this.drawBar.hidden = true;
    this.root.querySelector('[data-k="draw"]')?.classList.remove('on');
    this.stage.draw();
  }

  private async drawn(how: 'follow' | 'static'): Promise<void> {
    const box: Box | undefined = this.stage.pending;
    const frame = this.stage.frame;
    if (!box || frame === undefined) return this.say('draw a box first (B, then drag on the frame)', true);
    this.dropDrawn();
    if (how === 'follow') return this.send('api/follow', { frame, box });
    const first = this.inFrame ?? frame;
    const last = this.outFrame ?? this.project.input.frameCount - 1;
    await this.act({ op: 'static', box, first: Math.min(first, last), last: Math.max(first, last) });
  }

  private nextUncertain(): void {
    const now = this.stage.frame ?? 0;
    const next = this.uncertain.find((f) => f > now);
    if (next === undefined) return this.say('nothing uncertain after this frame');
    const cand = this.tracks.find((t) => t.action === 'candidate' && firstFrame(t) === next);
    if (cand) this.select(cand.id);
    this.seek(next);
  }

  private command(k: string): void {
    const sel = this.tracks.find((t) => t.id === this.selectedId);
    const need = (f: (t: TrackView) => void, candidate: boolean) =>
      sel && (sel.action === 'candidate') === candidate ? f(sel) : this.say(candidate ? 'select a suggestion first' : 'select a track first', true);
    const actions: Record<string, () => void> = {
      play: () => this.play(),
      back1: () => this.step(-1),
      fwd1: () => this.step(1),
      back1s: () => this.stepSeconds(-1),
      fwd1s: () => this.stepSeconds(1),
      result: () => this.toggleResult(!this.result),
      next: () => this.nextUncertain(),
      undo: () => void this.send('api/undo'),
      redo: () => void this.send('api/redo'),
      export: () => void this.send('api/export'),
      cancel: () => void this.send('api/cancel'),
      help: () => {
        const h = this.root.querySelector<HTMLElement>('.help')!;
        h.hidden = !h.hidden;
      },
      draw: () => {
        this.drawing = !this.drawing;
        this.root.querySelector('[data-k="draw"]')!.classList.toggle('on', this.drawing);
        this.say(this.drawing ? 'drag a box over what must be hidden' : '');
      },
      follow: () => void this.drawn('follow'),
      static: () => void this.drawn('static'),
      drop: () => this.dropDrawn(),
      in: () => {
        this.inFrame = this.stage.frame;
        this.showDrawBar();
      },
      out: () => {
        this.outFrame = this.stage.frame;
        this.showDrawBar();
      },
      redact: () => need((t) => void this.act({ op: 'setAction', id: t.id, action: 'redact' }), false),
      keep: () => need((t) => void this.act({ op: 'setAction', id: t.id, action: 'keep' }), false),
      delete: () => sel ? void this.act({ op: 'delete', id: sel.id }) : this.say('select a track first', true),
      accept: () => need((t) => void this.act({ op: 'accept', id: t.id }), true),
      dismiss: () => need((t) => void this.act({ op: 'dismiss', id: t.id }), true),
      above: () => void this.act({ op: 'acceptAbove', score: Number(this.root.querySelector<HTMLInputElement>('.above')!.value) }),
    };
    actions[k]?.();
  }

  private key(e: KeyboardEvent): void {
    if (!this.project || (e.target as HTMLElement).tagName === 'INPUT') return;
    const cmd = commandForKey(e, this.state.job?.state === 'running');
    if (!cmd) return;
    e.preventDefault();
    this.command(cmd);
  }
}

void new Editor().start();
