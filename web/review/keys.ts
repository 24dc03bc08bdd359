/** Every key of the editor, as listed in the page (the ? button): key, what it does on a video, and on a photo (null: nothing). */
const SHORTCUTS: [string, string, (string | null)?][] = [
  ['Space', 'play / pause', null],
  ['← →', 'one frame back / forward', null],
  ['Shift+← →', 'one second back / forward', null],
  ['N', 'next uncertain: a suggestion, or a face held without a detection', 'next suggestion, by score (then the first again)'],
  ['V', 'show the anonymized result'],
  ['R / K', 'redact / keep the selected track visible'],
  ['Delete', 'delete the selected track'],
  ['A / X', 'accept / dismiss the selected suggestion'],
  ['B', 'draw a box (then F, or I, O and S)', 'draw a box (then F)'],
  ['F', 'follow the drawn box forward and backward', 'hide the drawn box'],
  ['I / O', 'set the in / out frame for a static box', null],
  ['S', 'hide the drawn box\'s spot from in to out', null],
  ['Esc', 'drop the drawn box; with none, cancel a running job'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo (during a follow, undo cancels it)', 'undo / redo'],
  ['?', 'show or hide this list'],
];

/** The keys that apply to a video, or to a photo. */
export const shortcuts = (video: boolean): [string, string][] =>
  SHORTCUTS.flatMap(([k, onVideo, onPhoto]) => (video ? [[k, onVideo]] : onPhoto === null ? [] : [[k, onPhoto ?? onVideo]]));

const LETTERS: Record<string, string> = {
  ' ': 'play', n: 'next', v: 'result', r: 'redact', k: 'keep', a: 'accept', x: 'dismiss', b: 'draw', f: 'follow', s: 'static', i: 'in', o: 'out', '?': 'help',
  delete: 'delete', backspace: 'delete',
};

/** The editor command a key press stands for (a name Editor.command knows), if any. */
export function commandForKey(e: KeyboardEvent): string | undefined {
  const ctrl = e.ctrlKey || e.metaKey;
  const k = e.key;
  if (ctrl && k.toLowerCase() === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (ctrl && k.toLowerCase() === 'y') return 'redo';
  if (ctrl) return undefined;
  if (k === 'ArrowLeft') return e.shiftKey ? 'back1s' : 'back1';
  if (k === 'ArrowRight') return e.shiftKey ? 'fwd1s' : 'fwd1';
  if (k === 'Escape') return 'escape';
  return LETTERS[k.toLowerCase()];
}

/**
 * Whether keys pressed on `el` are typing (the score field), which the shortcuts must leave alone. A
 * checkbox is not: after a click on "show result" the arrows and Space must still step and play.
 */
export function typing(el: HTMLElement): boolean {
  return (el instanceof HTMLInputElement && el.type !== 'checkbox') || el instanceof HTMLTextAreaElement || el.isContentEditable;
}
