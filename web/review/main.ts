import { getChanges, getProject, getState, post } from './api.js';
import { $ } from './dom.js';
import { DrawTool } from './drawtool.js';
import { commandForKey, typing } from './keys.js';
import { layOut, type LaidOut } from './layout.js';
import { firstFrame, nextStop, scoreText, type ReviewState, type TrackView } from './model.js';
import { TrackList } from './panel.js';
import { Player } from './player.js';
import { MIN_BOX, Stage, type StageEdit } from './stage.js';
import { StatusRow } from './status.js';
import { SuggestionCount } from './suggestions.js';
import { ProjectStore } from './store.js';
import { Timeline } from './timeline.js';

/**
 * The editor: the page's copy of the project, the selection, the commands buttons and keys stand
 * for, and the poll that follows the server's state (jobs, saves, edits made elsewhere).
 */
class Editor {
  private readonly store = new ProjectStore();
  private state: ReviewState | undefined;
  private selectedId: number | undefined;
  /** What build() makes once the project is ready. */
  private parts: LaidOut | undefined;
  private readonly root = document.getElementById('app')!;
  private readonly header = $<HTMLElement>('<header><b class="title">faceblur review</b> <span class="spacer"></span></header>');
  private readonly status = new StatusRow(() => void this.send('api/cancel'));

  async start(): Promise<void> {
    // The file's name from the start (the page's title has it): the first analysis may take minutes.
    this.header.querySelector('.title')!.textContent = document.title;
    this.header.append(this.status.saved);
    this.root.replaceChildren(this.header, this.status.el);
    await this.poll();
    setInterval(() => void this.poll(), 400);
    document.addEventListener('keydown', (e) => this.key(e));
  }

  private async poll(): Promise<void> {
    try {
      const s = await getState();
      this.state = s;
      if (s.phase === 'ready' && !this.parts) await this.build();
      else if (this.parts && s.revision !== this.store.revision) await this.sync();
      this.showState();
    } catch (err) {
      this.status.saved.textContent = (err as Error).message;
      this.status.saved.dataset.saved = 'stopped';
    }
  }

  private showState(): void {
    const s = this.state!;
    this.status.show(s);
    this.parts?.draw.jobState(s.job);
    // One job at a time: a second Export would only be refused (409, an error in the console).
    const busy = s.job?.state === 'running' ? s.job.kind : undefined;
    for (const [k, on] of [['undo', s.canUndo], ['redo', s.canRedo], ['export', !busy]] as const) {
      const b = this.root.querySelector<HTMLButtonElement>(`[data-k="${k}"]`);
      if (b) b.disabled = !on;
    }
    const exportButton = this.root.querySelector<HTMLButtonElement>('[data-k="export"]');
    if (exportButton) exportButton.title = busy ? `wait for the ${busy} to finish, or cancel it` : 'write the anonymized file';
  }

  private async build(): Promise<void> {
    this.store.set(await getProject());
    const { input } = this.store;
    const video = input.kind === 'video';
    this.header.querySelector('.title')!.textContent = `faceblur review — ${input.name}`;
    this.header.append($('<button data-k="undo" title="Ctrl+Z">undo</button>'), $('<button data-k="redo" title="Ctrl+Shift+Z">redo</button>'), $('<button data-k="export" class="primary" title="write the anonymized file">Export</button>'));
    const suggestions = new SuggestionCount();
    const stage = new Stage(input.width, input.height, {
      tracks: () => this.store.tracks,
      selected: () => this.selectedId,
      select: (id) => this.select(id),
      drawing: () => this.parts!.draw.drawing,
      outlines: () => !this.parts!.player.result,
      allSuggestions: () => suggestions.all,
      counted: (n, shown) => suggestions.show(n, shown),
      edited: (e) => this.stageEdit(e),
    });
    const timeline = new Timeline(input.frameCount, {
      seek: (f) => player.seek(f),
      select: (id) => {
        this.select(id);
        player.seek(firstFrame(this.store.get(id)!));
      },
      selected: () => this.selectedId,
    });
    const player = new Player(input, stage, {
      playhead: (f) => {
        timeline.at(f);
        this.parts?.draw.refresh();
      },
      error: (t) => this.status.say(t, true),
    });
    const list = new TrackList({ seek: (f) => player.seek(f), select: (id) => this.select(id), selected: () => this.selectedId, act: (body) => void this.act(body), time: (f) => player.time(f), video });
    const draw = new DrawTool(video, stage, {
      frame: () => stage.frame,
      target: () => player.frame,
      frameCount: input.frameCount,
      say: (t, e) => this.status.say(t, e),
      marked: (range) => timeline.mark(range),
      follow: async (frame, box) => ((await this.send('api/follow', { frame, box })) && this.state?.job) || false,
      made: (id) => this.select(id),
      seek: (f) => player.seek(f),
      static: (box, first, last) => void this.act({ op: 'static', box, first, last }),
    });
    this.parts = { stage, player, list, timeline, draw, suggestions };

    layOut(this.root, this.parts, video, () => this.command('above'));
    this.root.addEventListener('click', (e) => {
      const k = (e.target as HTMLElement).closest<HTMLElement>('[data-k]')?.dataset.k;
      if (k && k !== 'cancel' && (e.target as HTMLElement).tagName !== 'INPUT') this.command(k);
    });
    this.refreshViews();
    player.resume();
  }

  /** Brings the page's copy up to the server's revision: the changes since ours, or the whole project. */
  private async sync(): Promise<void> {
    const patch = await getChanges(this.store.revision);
    if (!patch || !this.store.patch(patch)) this.store.set(await getProject());
    this.refreshViews();
  }

  private refreshViews(): void {
    const p = this.parts!;
    if (this.selectedId !== undefined && !this.store.get(this.selectedId)) this.selectedId = undefined;
    const { tracks, suggestions } = this.store.counts;
    this.root.querySelector('.count')!.textContent = `Tracks (${tracks}) · Suggestions (${suggestions})`;
    p.list.set(this.store.tracks);
    p.timeline.set(this.store.tracks);
    if (p.player.result) p.player.refresh();
    else p.stage.draw();
  }

  /** Selects a track (or nothing), scrolling its row and its lane into view. */
  private select(id: number | undefined): void {
    const p = this.parts!;
    this.selectedId = id;
    if (id === undefined) p.list.render();
    else {
      p.list.reveal(id);
      p.timeline.reveal(id);
    }
    p.stage.draw();
    p.timeline.draw();
  }

  /** Whether the server's last word was a follow running (which undo cancels: ReviewApp.undo). */
  private following(): boolean {
    return this.state?.job?.kind === 'follow' && this.state.job.state === 'running';
  }

  private act(body: Record<string, unknown>): Promise<boolean> {
    return this.send('api/action', body);
  }

  /**
   * "accept all": accepts every suggestion from score `typed` up, and says how many, since they are
   * mostly on other frames (and none at all looks the same as a click that did nothing).
   */
  private async acceptAbove(typed: string): Promise<void> {
    const before = this.store.counts.suggestions;
    if (!(await this.act({ op: 'acceptAbove', score: Number(typed) }))) return;
    const n = before - this.store.counts.suggestions;
    this.status.say(n ? `accepted ${n} suggestion${n > 1 ? 's' : ''} with score ≥ ${typed}: now redacted` : `no suggestion has a score ≥ ${typed}`);
  }

  /**
   * Names the tracks an undo or redo touched: the edit undone is often on another frame, where
   * nothing on screen would show that it happened.
   */
  private sayUndone(verb: string): void {
    const c = this.state?.changes;
    const ids = [...new Set([...(c?.changed.map((t) => t.id) ?? []), ...(c?.removed ?? [])])];
    this.status.say(ids.length ? `${verb}: ${ids.map((id) => `#${id}`).join(', ')}` : verb);
  }

  /** POSTs a command; the answer carries the changes it made, which the page applies. False if it was refused (the error is said). */
  private async send(path: string, body: unknown = {}): Promise<boolean> {
    try {
      this.state = await post(path, body, this.store.revision);
      this.status.say('');
      if (this.parts) {
        if (this.state.changes && this.store.patch(this.state.changes)) this.refreshViews();
        else if (this.state.revision !== this.store.revision) await this.sync();
      }
      this.showState();
      return true;
    } catch (err) {
      this.status.say((err as Error).message, true);
      return false;
    }
  }

  private stageEdit(e: StageEdit): void {
    if (e.kind === 'moved') void this.act({ op: 'keyframe', id: e.id, frame: this.parts!.stage.frame, box: e.box });
    else if (e.kind === 'small') this.status.say(`drag a larger box: at least ${MIN_BOX}×${MIN_BOX} pixels of the frame (this one: ${Math.round(e.box.x2 - e.box.x1)}×${Math.round(e.box.y2 - e.box.y1)})`, true);
    else this.parts!.draw.drawn();
  }

  /**
   * "Next uncertain": selects the next suggestion and shows its first frame, or shows the next stretch
   * held without a detection. On a photo it steps through the suggestions by score, around and round.
   */
  private nextUncertain(): void {
    const p = this.parts!;
    const photo = this.store.input.kind === 'image';
    const stops = this.store.uncertain;
    const before = this.selectedId;
    const next = nextStop(stops, p.stage.frame ?? 0, before, photo);
    if (!next) return this.status.say(photo ? 'no suggestions on this photo' : 'nothing uncertain after this frame');
    if (next.id !== undefined) this.select(next.id);
    p.player.seek(next.frame);
    const k = stops.indexOf(next);
    const suggestion = next.id !== undefined && `#${next.id}, score ${scoreText(this.store.get(next.id)!.bestScore)}`;
    if (photo) this.status.say(`suggestion ${k + 1} of ${stops.length}: ${suggestion}${k === 0 && stops.some((s) => s.id === before) ? ' (back to the first)' : ''}`);
    else this.status.say(`${suggestion ? `suggestion ${suggestion}` : 'a face covered without a detection'} at frame ${next.frame} (${k + 1} of ${stops.length} uncertain)`);
  }

  private command(k: string): void {
    const p = this.parts;
    if (!p) return;
    const sel = this.store.get(this.selectedId);
    const need = (f: (t: TrackView) => void, candidate: boolean) =>
      sel && (sel.action === 'candidate') === candidate ? f(sel) : this.status.say(candidate ? 'select a suggestion first' : 'select a track first', true);
    const actions: Record<string, () => void> = {
      play: () => p.player.toggle(),
      back1: () => p.player.step(-1),
      fwd1: () => p.player.step(1),
      back1s: () => p.player.stepSeconds(-1),
      fwd1s: () => p.player.stepSeconds(1),
      result: () => p.player.showResult(!p.player.result),
      next: () => this.nextUncertain(),
      allsugg: () => {
        p.suggestions.all = !p.suggestions.all;
        p.stage.draw();
      },
      undo: () => void this.send('api/undo').then((ok) => ok && (this.following() ? this.status.say('cancelling the follow…') : this.sayUndone('undone'))),
      redo: () => void this.send('api/redo').then((ok) => ok && this.sayUndone('redone')),
      export: () => void this.send('api/export'),
      cancel: () => void this.send('api/cancel'),
      help: () => {
        const h = this.root.querySelector<HTMLElement>('.help')!;
        h.hidden = !h.hidden;
      },
      draw: () => p.draw.toggle(),
      follow: () => p.draw.use('follow'),
      static: () => p.draw.use('static'),
      drop: () => p.draw.drop(),
      // Esc closes the key list if it is open (it covers the picture), else drops what is drawn (its
      // bar says "drop (Esc)"), and only then cancels a running job: a box drawn during a follow
      // must not cost the follow.
      escape: () => (this.hideHelp() ? undefined : !p.stage.pending && !p.draw.drawing && this.state?.job?.state === 'running' ? void this.send('api/cancel') : p.draw.drop()),
      in: () => p.draw.setIn(),
      out: () => p.draw.setOut(),
      redact: () => need((t) => void this.act({ op: 'setAction', id: t.id, action: 'redact' }), false),
      keep: () => need((t) => void this.act({ op: 'setAction', id: t.id, action: 'keep' }), false),
      delete: () => (sel ? void this.act({ op: 'delete', id: sel.id }) : this.status.say('select a track first', true)),
      accept: () => need((t) => void this.act({ op: 'accept', id: t.id }), true),
      dismiss: () => need((t) => void this.act({ op: 'dismiss', id: t.id }), true),
      above: () => void this.acceptAbove(this.root.querySelector<HTMLInputElement>('.above')!.value),
    };
    actions[k]?.();
  }

  /** Hides the key list; false if it was not shown. */
  private hideHelp(): boolean {
    const h = this.root.querySelector<HTMLElement>('.help');
    if (!h || h.hidden) return false;
    h.hidden = true;
    return true;
  }

  private key(e: KeyboardEvent): void {
    // Before the editor exists the first analysis runs: Esc cancels it, as it cancels any job.
    if (!this.parts && e.key === 'Escape' && this.state?.job?.state === 'running') void this.send('api/cancel');
    if (!this.parts || typing(e.target as HTMLElement)) return;
    const cmd = commandForKey(e);
    if (!cmd) return;
    e.preventDefault();
    this.command(cmd);
  }
}

void new Editor().start();
