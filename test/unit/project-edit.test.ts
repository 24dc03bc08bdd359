import { describe, expect, it } from 'vitest';
import { boxesOf, rowsOf, type BoxRow } from '../../src/project/boxes.js';
import * as edit from '../../src/project/edit.js';
import { parseProject, serializeProject, type Project } from '../../src/project/schema.js';
import { sampleProject } from './project-fixture.js';

/** Every op must leave its input exactly as it was: undo is keeping the old value. */
function pure(p: Project, op: (p: Project) => Project): Project {
  const before = serializeProject(p);
  const out = op(p);
  expect(serializeProject(p)).toBe(before);
  // And what it returns is a valid project.
  parseProject(serializeProject(out));
  return out;
}

const frames = (p: Project, id: number) => Array.from(p.tracks.find((t) => t.id === id)!.boxes.frame);
const kinds = (p: Project, id: number) => rowsOf(p.tracks.find((t) => t.id === id)!.boxes).map((r) => r.kind);
const box = (x: number, y = 100, s = 50) => ({ x1: x, y1: y, x2: x + s, y2: y + s });

describe('project edits', () => {
  const p = sampleProject(20);

  it('sets a track to keep, and back to redact', () => {
    const kept = pure(p, (q) => edit.setTrackAction(q, 0, 'keep'));
    expect(kept.tracks[0]!.action).toBe('keep');
    expect(kept.tracks[1]).toBe(p.tracks[1]); // untouched tracks are shared
    expect(edit.setTrackAction(kept, 0, 'redact').tracks[0]!.action).toBe('redact');
    expect(() => edit.setTrackAction(p, 99, 'keep')).toThrow('no track 99');
    // Keeping a kept track changes nothing: the same project, so the review records no undo step.
    expect(edit.setTrackAction(kept, 0, 'keep')).toBe(kept);
  });

  it('labels a track, and removes the label', () => {
    const q = pure(p, (x) => edit.setTrackLabel(x, 0, 'anchor'));
    expect(q.tracks[0]!.label).toBe('anchor');
    expect('label' in edit.setTrackLabel(q, 0, '').tracks[0]!).toBe(false);
  });

  it('deletes a track or a candidate', () => {
    expect(pure(p, (q) => edit.deleteTrack(q, 0)).tracks.map((t) => t.id)).toEqual([1]);
    expect(pure(p, (q) => edit.deleteTrack(q, 2)).candidates).toEqual([]);
    expect(() => edit.deleteTrack(p, 7)).toThrow('no track 7');
  });

  it('splits a track before a frame into two, the second with a new id', () => {
    const q = pure(p, (x) => edit.splitTrack(x, 0, 2));
    expect(q.tracks.map((t) => t.id)).toEqual([0, 3, 1]);
    expect(frames(q, 0)).toEqual([0, 1]);
    expect(frames(q, 3)).toEqual([2, 3]);
    expect(q.tracks[1]!.origin).toBe('auto');
    expect(() => edit.splitTrack(p, 0, 0)).toThrow('no boxes on both sides');
    expect(() => edit.splitTrack(p, 0, 9)).toThrow('no boxes on both sides');
  });

  it('merges two tracks, preferring the better-founded box on shared frames, redacting if either did', () => {
    const other: BoxRow[] = [
      { frame: 2, box: box(0), score: 0.8, kind: 'detected' }, // beats track 0's held box
      { frame: 3, box: box(0), score: 0.5, kind: 'held' }, // loses to track 0's lookahead box
      { frame: 6, box: box(0), score: 0.8, kind: 'detected' },
    ];
    const q0 = { ...p, tracks: [...p.tracks, { id: 5, origin: 'auto' as const, action: 'keep' as const, boxes: boxesOf(other) }] };
    const kept = edit.setTrackAction(q0, 0, 'keep');
    expect(pure(kept, (x) => edit.mergeTracks(x, 0, 5)).tracks[0]!.action).toBe('keep');
    const q = pure(q0, (x) => edit.mergeTracks(x, 0, 5));
    expect(q.tracks.map((t) => t.id)).toEqual([0, 1]);
    expect(frames(q, 0)).toEqual([0, 1, 2, 3, 6]);
    expect(kinds(q, 0)).toEqual(['detected', 'interpolated', 'detected', 'lookahead', 'detected']);
    expect(q.tracks[0]!.action).toBe('redact');
    expect(edit.mergeTracks(edit.setTrackAction(q0, 5, 'keep'), 5, 0).tracks.find((t) => t.id === 5)!.action).toBe('redact');
    expect(() => edit.mergeTracks(p, 0, 0)).toThrow('itself');
  });

  it('accepts a candidate as a redacted track, accepts all above a score, dismisses one', () => {
    const q = pure(p, (x) => edit.acceptCandidate(x, 2));
    expect(q.candidates).toEqual([]);
    expect(q.tracks[2]).toMatchObject({ id: 2, origin: 'auto', action: 'redact' });
    expect(q.tracks[2]!.boxes).toBe(p.candidates[0]!.boxes);
    expect(edit.acceptCandidatesAbove(p, 0.3).candidates).toHaveLength(1);
    expect(edit.acceptCandidatesAbove(p, 0.2).candidates).toHaveLength(0);
    expect(pure(p, (x) => edit.dismissCandidate(x, 2)).candidates).toEqual([]);
    expect(() => edit.acceptCandidate(p, 0)).toThrow('no candidate 0');
    expect(() => edit.dismissCandidate(p, 0)).toThrow('no candidate 0');
  });

  it('an accepted candidate covers the frames between its detections, interpolated', () => {
    const gappy = {
      ...p,
      candidates: [{ id: 2, bestScore: 0.3, boxes: boxesOf([{ frame: 4, box: box(100), score: 0.3, kind: 'detected' }, { frame: 8, box: box(140), score: 0.2, kind: 'detected' }, { frame: 9, box: box(150), score: 0.25, kind: 'detected' }]) }],
    };
    const q = pure(gappy, (x) => edit.acceptCandidate(x, 2));
    expect(frames(q, 2)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(kinds(q, 2)).toEqual(['detected', 'interpolated', 'interpolated', 'interpolated', 'detected', 'detected']);
    const rows = rowsOf(q.tracks.find((t) => t.id === 2)!.boxes);
    expect(rows[2]!.box).toEqual(box(120));
    expect(rows[1]!.score).toBeCloseTo(0.2);
  });

  it('adds a static region over a frame range, clipped to the frame', () => {
    const q = pure(p, (x) => edit.addStaticRegion(x, { x1: -10, y1: 400, x2: 60, y2: 600 }, 4, 8, 'badge'));
    const t = q.tracks[2]!;
    expect(t).toMatchObject({ id: 3, origin: 'static', action: 'redact', label: 'badge' });
    const rows = rowsOf(t.boxes);
    expect(rows.map((r) => r.frame)).toEqual([4, 5, 6, 7, 8]);
    expect(rows.map((r) => r.kind)).toEqual(['keyframe', 'interpolated', 'interpolated', 'interpolated', 'keyframe']);
    expect(rows[2]!.box).toEqual({ x1: 0, y1: 400, x2: 60, y2: 480 });
    expect(() => edit.addStaticRegion(p, box(0), 5, 4)).toThrow('empty');
    expect(() => edit.addStaticRegion(p, box(0), 0, 20)).toThrow('outside 0..19');
    expect(() => edit.addStaticRegion(p, box(700), 0, 2)).toThrow('outside the frame');
  });

  it('adds a manual track from per-frame boxes (a follower\'s output)', () => {
    const rows: BoxRow[] = [12, 10, 11].map((f) => ({ frame: f, box: box(f), score: 0.7, kind: f === 10 ? 'keyframe' : 'detected' }));
    const q = pure(p, (x) => edit.addManualTrack(x, rows, 'passenger'));
    expect(q.tracks[2]).toMatchObject({ id: 3, origin: 'manual', action: 'redact', label: 'passenger' });
    expect(frames(q, 3)).toEqual([10, 11, 12]);
    expect(() => edit.addManualTrack(p, [])).toThrow('at least one box');
    expect(() => edit.addManualTrack(p, [rows[0]!, rows[0]!])).toThrow('two boxes for frame 12');
  });

  it('adds keyframes with the boxes between them interpolated, and moves one', () => {
    const start = edit.addManualTrack(p, [{ frame: 10, box: box(0), score: 1, kind: 'keyframe' }]);
    const q = pure(start, (x) => edit.setKeyframe(x, 3, 14, box(40)));
    expect(frames(q, 3)).toEqual([10, 11, 12, 13, 14]);
    expect(kinds(q, 3)).toEqual(['keyframe', 'interpolated', 'interpolated', 'interpolated', 'keyframe']);
    expect(rowsOf(q.tracks[2]!.boxes)[1]!.box.x1).toBeCloseTo(10, 4);
    // Moving the last keyframe re-interpolates the boxes before it.
    const moved = pure(q, (x) => edit.setKeyframe(x, 3, 14, box(80)));
    expect(rowsOf(moved.tracks[2]!.boxes)[2]!.box.x1).toBeCloseTo(40, 4);
    // A keyframe in the middle splits the interpolation in two.
    const mid = pure(moved, (x) => edit.setKeyframe(x, 3, 12, box(0, 200)));
    expect(rowsOf(mid.tracks[2]!.boxes)[1]!.box.y1).toBeCloseTo(150, 4);
    expect(rowsOf(mid.tracks[2]!.boxes)[3]!.box.x1).toBeCloseTo(40, 4);
    // On an auto track without keyframes, only that frame's box changes.
    const auto = pure(p, (x) => edit.setKeyframe(x, 0, 1, box(5)));
    expect(kinds(auto, 0)).toEqual(['detected', 'keyframe', 'held', 'lookahead']);
    expect(() => edit.setKeyframe(p, 0, 25, box(5))).toThrow('outside');
  });

  it('gives new tracks ids no track or candidate has', () => {
    expect(edit.nextTrackId(p)).toBe(3);
  });
});
