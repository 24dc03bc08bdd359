/**
 * How a box came to be: the tracker's four kinds, and a reviewer's keyframe. A project stores each
 * box's kind as its index here. No imports, so that the review page's bundle shares this one list.
 */
export const BOX_KINDS = ['detected', 'interpolated', 'held', 'lookahead', 'keyframe'] as const;
export type BoxKind = (typeof BOX_KINDS)[number];
/** A kind's index in BOX_KINDS, as stored in a project's `kind` column. */
export const kindCode = (k: BoxKind): number => BOX_KINDS.indexOf(k);
/**
 * Whether a box rests on no detection and no reviewer's keyframe of its frame (held, look-ahead or
 * interpolated): what the run's summary line and the report count as "predicted", where a reviewer
 * should look first. Undefined (no tracking) is a detection.
 */
export const isPredicted = (k: BoxKind | undefined): boolean => k === 'interpolated' || k === 'held' || k === 'lookahead';
