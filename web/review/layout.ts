import { $ } from './dom.js';
import type { DrawTool } from './drawtool.js';
import { shortcuts } from './keys.js';
import type { TrackList } from './panel.js';
import type { Player } from './player.js';
import type { Stage } from './stage.js';
import type { SuggestionCount } from './suggestions.js';
import type { Timeline } from './timeline.js';

/** The editor's parts that the page's layout places. */
export interface LaidOut {
  stage: Stage;
  player: Player;
  list: TrackList;
  timeline: Timeline;
  draw: DrawTool;
  suggestions: SuggestionCount;
}

/**
 * Places the editor under `root`'s header: the picture with its key list, the drawing row and the
 * player's controls; beside it the track panel with the suggestions' threshold; below, on a video,
 * the timeline. Enter in the threshold field calls `acceptAbove`; buttons carry their command in
 * `data-k` (Editor.command).
 */
export function layOut(root: HTMLElement, p: LaidOut, video: boolean, acceptAbove: () => void): void {
  const side = $<HTMLElement>(
    '<aside><div class="panelhead"><b class="count"></b><label title="accept every suggestion whose score is at least this">suggestions with score ≥ <input type="number" min="0" max="1" step="0.05" value="0.3" class="above"></label> <button data-k="above">accept all</button></div></aside>',
  );
  side.querySelector('.panelhead')!.append(p.suggestions.el);
  side.append(p.list.el);
  side.querySelector('.above')!.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && acceptAbove());
  const next = video
    ? '<button data-k="next" title="the next suggestion, or a face covered without a detection (N)">next uncertain (N)</button>'
    : '<button data-k="next" title="select the next suggestion, by score (N)">next suggestion (N)</button>';
  p.player.controls.append(p.draw.button, $(next), $('<button data-k="help">? keys</button>'));
  const help = $<HTMLElement>('<dl class="help" hidden></dl>');
  for (const [k, v] of shortcuts(video)) help.append(Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v }));
  const stageBox = $<HTMLElement>('<div class="stagebox"></div>');
  stageBox.append(p.stage.canvas, help);
  const player = $<HTMLElement>('<section class="player"></section>');
  player.append(stageBox, p.draw.row, p.player.controls);
  const main = $<HTMLElement>('<main></main>');
  main.append(player, side);
  root.append(main);
  if (video) root.append(p.timeline.el);
  else root.classList.add('photo');
}
