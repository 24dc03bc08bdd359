import { $ } from './dom.js';
import type { Box, JobState } from './model.js';
import type { Stage } from './stage.js';

export interface DrawHost {
  /** The frame on screen: the one a box is drawn on. */
  frame(): number | undefined;
  /**
   * The frame asked for last (on screen, or still loading): the one I and O mark, since the clock
   * and the playhead already show it when a key is pressed right after a step or a seek.
   */
  target(): number;
  frameCount: number;
  say(text: string, error?: boolean): void;
  /** Marks the static box's frames on the timeline (undefined: none). */
  marked(range: [number, number] | undefined): void;
  /**
   * Follow the box from `frame`: resolves to the follow job as the server started it, or false if
   * refused (the error said). On a photo the box becomes a track at once: the job is done already.
   */
  follow(frame: number, box: Box): Promise<JobState | false>;
  /** A follow made track `id`: select it, so that the next key or click acts on it. */
  made(id: number): void;
  /** Shows frame `frame`. */
  seek(frame: number): void;
  /** A static box over frames first..last. */
  static(box: Box, first: number, last: number): void;
}

const HINT = 'A face nobody found? Press B (or draw box) and drag a box over it.';

/** A drawn box being followed from its frame, and (once the server answered) the follow job's id. */
interface Following {
  frame: number;
  box: Box;
  job?: number;
}

/**
 * Drawing a box over what the analysis missed, and what to do with it: follow it through the video
 * (F), or hide that spot from an in to an out frame (I, O, then S); on a photo, hide it (F). It owns
 * the tool row below the picture, a row of fixed height that shows a hint or the drawn box's choices,
 * so that the picture never moves.
 */
export class DrawTool {
  readonly row = $<HTMLDivElement>('<div class="toolrow"></div>');
  private readonly bar: HTMLDivElement;
  private readonly hint = $<HTMLSpanElement>('<span class="hint"></span>');
  readonly button = $<HTMLButtonElement>('<button data-k="draw" title="draw a box over a face (B)">draw box (B)</button>');
  drawing = false;
  private inFrame: number | undefined;
  private outFrame: number | undefined;
  /**
   * The box being followed, its frame and (once the server answered) the job's id: shown on its frame
   * until the follow ends, then replaced by the new track, or given back as the drawn box if the
   * follow is cancelled, fails or is refused.
   */
  private following: Following | undefined;

  constructor(
    private readonly video: boolean,
    private readonly stage: Stage,
    private readonly host: DrawHost,
  ) {
    this.bar = $<HTMLDivElement>(
      video
        ? '<div class="drawbar" hidden>drawn box: <button data-k="follow">follow it (F)</button> or <button data-k="static">hide this spot from in to out (S)</button> <span class="range"></span> <button data-k="in">set in (I)</button><button data-k="out">set out (O)</button> <button data-k="drop">drop (Esc)</button></div>'
        : '<div class="drawbar" hidden>drawn box: <button data-k="follow">hide it (F)</button> <button data-k="drop">drop (Esc)</button></div>',
    );
    this.hint.textContent = HINT;
    this.row.append(this.hint, this.bar);
  }

  toggle(): void {
    this.drawing = !this.drawing;
    this.button.classList.toggle('on', this.drawing);
    this.host.say(this.drawing ? 'drag a box over what must be hidden' : '');
  }

  /** A box was drawn on the stage: offer what to do with it. */
  drawn(): void {
    this.host.say('');
    this.refresh();
  }

  setIn(): void {
    this.inFrame = this.host.target();
    this.refresh();
  }

  setOut(): void {
    this.outFrame = this.host.target();
    this.refresh();
  }

  drop(): void {
    this.stage.pending = undefined;
    this.drawing = false;
    this.button.classList.remove('on');
    this.refresh();
    this.stage.draw();
  }

  /** Follows the drawn box (F), or makes it static between in and out (S). */
  use(how: 'follow' | 'static'): void {
    const box = this.stage.pending;
    const frame = this.host.frame();
    // One follow at a time (the server runs one job): a box drawn meanwhile stays, for after it or for S.
    if (how === 'follow' && this.following) return this.host.say('wait for the follow to finish, or cancel it (Esc)', true);
    if (!box || frame === undefined) return this.host.say('draw a box first (B, then drag on the frame)', true);
    if (how === 'static' && !this.video) return;
    const [first, last] = this.range(frame);
    this.drop();
    this.host.say('');
    if (how === 'static') return this.host.static(box, first, last);
    // Marked as followed at once, before the server answers: the box never disappears.
    const f: Following = { frame, box };
    this.following = f;
    this.stage.following = f;
    this.refresh();
    this.stage.draw();
    void this.host.follow(frame, box).then((job) => {
      if (job === false) return this.end(true);
      f.job = job.id;
      this.jobState(job);
    });
  }

  /**
   * The state of the server's job: once the follow job is done, its new track takes the followed
   * box's place, selected; once it ends otherwise (cancelled, failed), the drawn box comes back, so
   * that it can be followed again or made static instead of drawn again.
   */
  jobState(job: JobState | undefined): void {
    const f = this.following;
    if (!f || !job || job.id !== f.job || job.state === 'running') return;
    const done = job.state === 'done';
    this.end(!done);
    if (!done) this.host.say(`your drawn box is still here: F follows it again${this.video ? ', S hides its spot from in to out' : ''}`);
    else if (job.track !== undefined) this.host.made(job.track);
  }

  /** Ends the follow shown: its box goes, or comes back as the drawn box (`back`), on its frame, with its choices. */
  private end(back: boolean): void {
    const f = this.following!;
    this.following = undefined;
    this.stage.following = undefined;
    if (back) {
      this.stage.pending = f.box;
      this.host.seek(f.frame);
    }
    this.refresh();
    this.stage.draw();
  }

  private range(frame: number): [number, number] {
    const a = this.inFrame ?? frame;
    const b = this.outFrame ?? this.host.frameCount - 1;
    return [Math.min(a, b), Math.max(a, b)];
  }

  /**
   * Shows the drawn box's choices, or the hint (what the follow under way follows, while it runs),
   * and its frames (which follow the frame shown until in and out are set).
   */
  refresh(): void {
    const f = this.following;
    this.hint.textContent = !f ? HINT : this.video ? `following the box drawn on frame ${f.frame} (violet) — Esc cancels` : 'hiding the drawn box…';
    const has = !!this.stage.pending;
    this.bar.hidden = !has;
    this.hint.hidden = has;
    const range = this.bar.querySelector('.range');
    if (range) {
      const [first, last] = this.range(this.host.frame() ?? 0);
      range.textContent = `frames ${first}–${last}`;
    }
    this.host.marked(has && this.video ? this.range(this.host.frame() ?? 0) : undefined);
  }
}
