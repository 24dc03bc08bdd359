import { describe, expect, it } from 'vitest';
import { boxesOf, type BoxRow } from '../../src/project/boxes.js';
import { keptDuplicates, projectRegionsAt } from '../../src/project/regions.js';
import type { Project, Track } from '../../src/project/schema.js';
import { projectPatch, projectView } from '../../src/review/view.js';
import { sampleProject } from './project-fixture.js';

/** A track over `frames`, its box at x (moving 2 px a frame), 40x48 px. */
function track(id: number, origin: Track['origin'], action: Track['action'], frames: number[], x: number): Track {
  const rows: BoxRow[] = frames.map((f) => ({ frame: f, box: { x1: x + 2 * f, y1: 100, x2: x + 2 * f + 40, y2: 148 }, score: 0.8, kind: 'detected' }));
  return { id, origin, action, boxes: boxesOf(rows) };
}
const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('a kept face stays visible', () => {
  // A trial's classroom clip gave one face three tracks; setting one to keep left the face covered by the other two.
  const project = (extra: Track[]): Project => ({ ...sampleProject(40), tracks: [track(3, 'auto', 'keep', span(0, 36), 200), ...extra], candidates: [] });

  it('leaves visible the auto tracks that follow the kept face, and redacts everything else', () => {
    const p = project([
      track(5, 'auto', 'redact', span(0, 36), 203), // the same face, a few pixels off: IoU about 0.86
      track(6, 'auto', 'redact', span(9, 39), 201), // the same face, from frame 9 on, past the kept track's end (28 of 31 frames shared)
      track(7, 'auto', 'redact', span(0, 39), 400), // someone else
      track(8, 'auto', 'redact', span(10, 13).concat(span(20, 39)), 200), // the same face with a gap: 21 of its 24 frames shared
      track(9, 'manual', 'redact', span(0, 36), 200), // drawn by a person over the kept face: a person's decision stands
    ]);
    expect(keptDuplicates(p)).toEqual(new Map([[5, 3], [6, 3], [8, 3]]));
    expect(projectRegionsAt(p)(20).map((r) => r.trackId).sort()).toEqual([7, 9]);
  });

  it('a track of the kept face that switches to someone else is covered from the switch on', () => {
    // A trial's hand-made switch: on the kept face for frames 0-27, then on another man; he was left visible.
    const rows: BoxRow[] = span(0, 39).map((f) => ({ frame: f, box: f < 28 ? { x1: 201 + 2 * f, y1: 100, x2: 241 + 2 * f, y2: 148 } : { x1: 450, y1: 300, x2: 490, y2: 348 }, score: 0.8, kind: 'detected' }));
    const p = project([{ id: 200, origin: 'auto', action: 'redact', boxes: boxesOf(rows) }]);
    expect(keptDuplicates(p)).toEqual(new Map([[200, 3]]));
    expect(projectRegionsAt(p)(10)).toEqual([]);
    for (const f of [28, 35, 39]) expect(projectRegionsAt(p)(f).map((r) => r.trackId), `frame ${f}`).toEqual([200]);
  });

  it('a small face inside the kept face\'s box is another face, and stays covered', () => {
    // 12x12 px inside the kept 40x48 box in every frame: a face far behind the kept head, not a part of it.
    const rows: BoxRow[] = span(0, 36).map((f) => ({ frame: f, box: { x1: 210 + 2 * f, y1: 110, x2: 222 + 2 * f, y2: 122 }, score: 0.5, kind: 'detected' }));
    const p = project([{ id: 11, origin: 'auto', action: 'redact', boxes: boxesOf(rows) }]);
    expect(keptDuplicates(p).size).toBe(0);
    expect(projectRegionsAt(p)(20).map((r) => r.trackId)).toEqual([11]);
  });

  it('boxes of the upper and lower half of the kept face follow it too (IoU under 0.5, inside it)', () => {
    // The trial's classroom clip: a student's middle, upper and lower face, IoU 0.29-0.40 with each other.
    const half = (id: number, y1: number, y2: number): Track => ({ id, origin: 'auto', action: 'redact', boxes: boxesOf(span(0, 36).map((f) => ({ frame: f, box: { x1: 200 + 2 * f, y1, x2: 240 + 2 * f, y2 }, score: 0.7, kind: 'detected' as const }))) });
    const p = project([half(5, 96, 124), half(6, 124, 152)]);
    expect(keptDuplicates(p)).toEqual(new Map([[5, 3], [6, 3]]));
    expect(projectRegionsAt(p)(20)).toEqual([]);
  });

  it('a passer-by crossing the kept face for a few frames stays redacted in every frame', () => {
    // Moving the other way across the kept face: overlapping it near frame 10 only.
    const rows: BoxRow[] = span(0, 39).map((f) => ({ frame: f, box: { x1: 300 - 8 * f, y1: 100, x2: 340 - 8 * f, y2: 148 }, score: 0.8, kind: 'detected' }));
    const p = project([{ id: 10, origin: 'auto', action: 'redact', boxes: boxesOf(rows) }]);
    expect(keptDuplicates(p).size).toBe(0);
    for (const f of [0, 9, 10, 11, 39]) expect(projectRegionsAt(p)(f).map((r) => r.trackId), `frame ${f}`).toEqual([10]);
  });

  it('the editor names a track that follows a kept face as visible with it, and updates that when the kept track changes', () => {
    // A trial's editor listed such tracks as "redacted" while the export left them visible.
    const a: Project = { ...project([track(5, 'auto', 'redact', span(0, 36), 203), track(7, 'auto', 'redact', span(0, 39), 400)]) };
    const view = projectView(a, 'clip.mp4', 1);
    expect(view.tracks.map((t) => [t.id, t.follows])).toEqual([[3, undefined], [5, 3], [7, undefined]]);
    // Track 3 set back to redact: track 5 no longer follows a kept face, though its own object did not change.
    const b: Project = { ...a, tracks: a.tracks.map((t) => (t.id === 3 ? { ...t, action: 'redact' as const } : t)) };
    const patch = projectPatch(a, 1, b, 2);
    expect(patch.changed.map((t) => [t.id, t.follows, t.boxes === undefined])).toEqual([[3, undefined, true], [5, undefined, true]]);
  });
});
