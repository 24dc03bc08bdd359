import { $ } from './dom.js';
import { BEST_SUGGESTIONS } from './stage.js';

/**
 * The line above the tracks panel that says how many suggestions the frame has and how many are
 * outlined on it ("95 suggestions on this frame, 12 best shown"), with a button that shows all of
 * them, or the best again. Hidden while every suggestion on the frame is outlined anyway.
 */
export class SuggestionCount {
  readonly el = $<HTMLDivElement>('<div class="suggestcount" hidden><span></span> <button data-k="allsugg"></button></div>');
  /** Whether every suggestion is outlined (Stage host.allSuggestions). */
  all = false;

  /** From Stage host.counted, after each draw. */
  show(suggestions: number, shown: number): void {
    this.el.hidden = suggestions <= BEST_SUGGESTIONS;
    if (this.el.hidden) return;
    this.el.querySelector('span')!.textContent = `${suggestions} suggestions on this frame, ${this.all ? 'all' : shown} shown`;
    this.el.querySelector('button')!.textContent = this.all ? `show the ${BEST_SUGGESTIONS} best` : 'show all';
  }
}
