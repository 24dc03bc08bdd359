import { getFrame } from './api.js';
import { $ } from './dom.js';
import { clock, type ProjectView } from './model.js';
import type { Stage } from './stage.js';

export interface PlayerHost {
  /** Moves the timeline's playhead. */
  playhead(frame: number): void;
  error(text: string): void;
}

/**
 * Which frame is shown: seeking (only the newest request waits while one frame loads), stepping by
 * frames and seconds, playback on the wall clock, and plain or anonymized frames ("show result").
 * Its controls row holds the transport buttons (videos only), the clock and the result toggle.
 */
/**
 * Where a reload of the page (same address, same tab) finds its frame again. Session storage, not
 * the address: playback moves the frame 30 times a second, and browsers throttle address changes.
 */
const placeKey = (): string => `faceblur-review-frame${location.search}`;

export class Player {
  readonly controls: HTMLElement;
  private readonly clockEl = $<HTMLSpanElement>('<span class="clock"></span>');
  private readonly playButton: HTMLButtonElement;
  private readonly resultBox: HTMLInputElement;
  private wanted = 0;
  private loading = false;
  private playing: { wall: number; time: number } | undefined;
  result = false;

  constructor(
    private readonly input: ProjectView['input'],
    private readonly stage: Stage,
    private readonly host: PlayerHost,
  ) {
    const video = input.kind === 'video';
    this.controls = $<HTMLElement>(`<div class="controls">${video ? '<button data-k="back1s" title="one second back (Shift+←)">◀◀</button><button data-k="back1" title="one frame back (←)">◀</button><button data-k="play" title="play / pause (Space)">▶</button><button data-k="fwd1" title="one frame forward (→)">▶</button><button data-k="fwd1s" title="one second forward (Shift+→)">▶▶</button>' : ''}</div>`);
    this.playButton = this.controls.querySelector<HTMLButtonElement>('[data-k="play"]') ?? document.createElement('button');
    const result = $<HTMLLabelElement>('<label title="the frame as Export will write it (V)"><input type="checkbox" data-k="result"> show result (V)</label>');
    this.resultBox = result.querySelector('input')!;
    this.resultBox.addEventListener('change', () => this.showResult(this.resultBox.checked));
    this.clockEl.hidden = !video;
    this.controls.append(this.clockEl, result);
  }

  /** The frame asked for last (shown, or on its way). */
  get frame(): number {
    return this.wanted;
  }

  time(frame: number): number {
    return this.input.timestamps[frame] ?? 0;
  }

  /** Shows frame `f` (clamped to the video). */
  seek(f: number): void {
    this.wanted = Math.max(0, Math.min(this.input.frameCount - 1, Math.round(f)));
    this.host.playhead(this.wanted);
    try {
      sessionStorage.setItem(placeKey(), String(this.wanted));
    } catch {
      // Storage turned off: a reload starts at frame 0.
    }
    void this.load();
  }

  /** Shows the frame this tab showed before a reload, or the first. */
  resume(): void {
    let saved = 0;
    try {
      saved = Number(sessionStorage.getItem(placeKey())) || 0;
    } catch {
      // as in seek
    }
    this.seek(saved);
  }

  /** Fetches the shown frame again (the result view after an edit). */
  refresh(): void {
    this.stage.frame = undefined;
    void this.load();
  }

  showResult(on: boolean): void {
    this.result = on;
    this.resultBox.checked = on;
    this.refresh();
  }

  toggle(): void {
    if (this.playing) return this.pause();
    // From the last frame, play starts again at the first, as video players do.
    const from = (this.stage.frame ?? 0) >= this.input.frameCount - 1 ? 0 : (this.stage.frame ?? 0);
    this.playing = { wall: performance.now(), time: this.time(from) };
    this.playButton.textContent = '❚❚';
    // load() goes on playing once the first frame is shown.
    if (from !== this.stage.frame) this.seek(from);
    else this.tick();
  }

  pause(): void {
    this.playing = undefined;
    this.playButton.textContent = '▶';
  }

  step(frames: number): void {
    this.pause();
    this.seek(this.wanted + frames);
  }

  stepSeconds(s: number): void {
    this.pause();
    const t = this.time(this.wanted) + s;
    const ts = this.input.timestamps;
    let n = 0;
    while (n + 1 < ts.length && ts[n + 1]! <= t + 1e-6) n++;
    this.seek(n);
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      while (this.stage.frame !== this.wanted) {
        const n = this.wanted;
        const bitmap = await getFrame(n, this.result);
        this.stage.show(n, bitmap);
        this.showClock(n);
      }
    } catch (err) {
      this.host.error((err as Error).message);
    } finally {
      this.loading = false;
    }
    if (this.playing) this.tick();
  }

  private showClock(n: number): void {
    const { duration, frameCount } = this.input;
    this.clockEl.textContent = `${clock(this.time(n))} / ${clock(duration)} · frame ${n} / ${frameCount - 1}`;
    this.clockEl.dataset.frame = String(n);
  }

  /** Playback follows the wall clock from the frame's own timestamp; frames that cannot be fetched in time are skipped. */
  private tick(): void {
    const p = this.playing!;
    const t = p.time + (performance.now() - p.wall) / 1000;
    const ts = this.input.timestamps;
    let n = this.stage.frame ?? 0;
    while (n + 1 < ts.length && ts[n + 1]! <= t) n++;
    if (n >= ts.length - 1) {
      // The last frame is shown before playback stops (a trial's stopped one frame short of the end).
      this.pause();
      if (n !== this.stage.frame) this.seek(n);
      return;
    }
    if (n === this.stage.frame) return void setTimeout(() => this.playing && this.tick(), Math.max(1, (ts[n + 1]! - t) * 1000));
    this.seek(n);
  }
}
