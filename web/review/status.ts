import { $ } from './dom.js';
import type { JobState, ReviewState } from './model.js';

/** What the page says under the first analysis's bar, where the editor will be: what is going on, and what comes next. */
const ANALYZING = 'finding the faces in every frame: the editor opens here once that is done';

const DOING = { analyze: 'analyzing', follow: 'following the box', export: 'exporting' } as const;
const PASS = { reading: ': reading the video', backward: ' backward', forward: ' forward' } as const;

/** A running job's line: for a follow, the frame it is on, numbered as the clock numbers frames. */
function doing(j: JobState): string {
  if (j.at) return `${DOING[j.kind]}${PASS[j.at.pass]}… frame ${j.at.frame} / ${j.at.last}`;
  return `${DOING[j.kind]}…${j.total ? ` ${j.done}/${j.total} frames` : ''}`;
}

/** The line an ended job leaves: what it did, or why it stopped. */
const ENDED: Record<Exclude<JobState['state'], 'running'>, (j: JobState) => string> = {
  done: (j) => `done: ${j.message ?? `${j.kind} finished`}`,
  cancelled: (j) => `${j.kind} cancelled`,
  failed: (j) => `${j.kind} failed: ${j.message ?? 'unknown error'}`,
};

/**
 * The status row under the header: the running job's progress bar (with cancel), and one message
 * line. It has a fixed height, so that the picture below never moves when either appears. The save
 * state ("saved ✓") is a separate element the header holds.
 */
export class StatusRow {
  readonly el = $<HTMLDivElement>('<div class="statusrow"></div>');
  readonly saved = $<HTMLSpanElement>('<span class="status"></span>');
  private readonly job = $<HTMLDivElement>('<div class="job" hidden><progress max="1" value="0"></progress> <span></span> <button data-k="cancel">cancel</button></div>');
  private readonly message = $<HTMLDivElement>('<div class="message" role="status"></div>');
  /** Whether the last state shown had a job running: its end clears a "wait for the job" error. */
  private running = false;
  /** The id of the last ended job whose line has faded out: it stays hidden. */
  private faded = 0;

  /** `cancel` runs from the start: the first analysis runs before the editor (and its key and click handlers) exists. */
  constructor(cancel: () => void) {
    this.el.append(this.job, this.message);
    this.job.querySelector('button')!.addEventListener('click', (e) => {
      e.stopPropagation();
      cancel();
    });
    // A job's end line (app.css .job.ended) fades out, then goes.
    this.job.addEventListener('animationend', () => {
      this.faded = Number(this.job.dataset.id);
      this.job.hidden = true;
    });
  }

  say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.title = text;
    this.message.classList.toggle('error', error);
  }

  show(s: ReviewState): void {
    if (s.phase === 'failed') this.say(`cannot review: ${s.error}`, true);
    if (s.phase === 'analyzing' && !s.job) this.saved.textContent = 'analyzing the input…';
    if (s.phase === 'analyzing') this.say(ANALYZING);
    else if (this.message.textContent === ANALYZING) this.say('');
    if (s.phase === 'ready') this.saved.textContent = s.saveError ? s.saveError : s.saved ? 'saved ✓' : 'saving…';
    this.saved.dataset.saved = String(s.saved);
    const j = s.job;
    const running = j?.state === 'running';
    // An error said while a job ran ("wait for the export to finish…") is stale once it ends.
    if (this.running && !running && this.message.classList.contains('error')) this.say('');
    this.running = running;
    this.job.hidden = !j || j.id === this.faded;
    if (!j) return;
    const bar = this.job.querySelector('progress')!;
    if (j.total > 0) bar.value = j.done / j.total;
    else bar.removeAttribute('value');
    // An ended job shows no bar, which would look like work still running: one line that fades, or stays if it failed.
    bar.hidden = !running;
    if (this.job.dataset.id !== String(j.id)) {
      // Another job: its end line fades from its own start (a reflow restarts the animation).
      this.job.classList.remove('ended');
      void this.job.offsetWidth;
    }
    this.job.classList.toggle('ended', !running && j.state !== 'failed');
    this.job.dataset.id = String(j.id);
    this.job.dataset.kind = j.kind;
    this.job.dataset.state = j.state;
    const text = running ? doing(j) : ENDED[j.state as keyof typeof ENDED](j);
    const span = this.job.querySelector('span')!;
    span.textContent = text;
    span.title = text;
    this.job.querySelector('button')!.hidden = !running;
  }
}
