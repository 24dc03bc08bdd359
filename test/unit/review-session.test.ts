import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReviewSession } from '../../src/review/session.js';
import { editFor } from '../../src/review/actions.js';
import { parseProject, type Project } from '../../src/project/schema.js';
import { tempDir } from '../helpers.js';

const project = (): Project => ({
  format: 'faceblur-project',
  version: 1,
  faceblur: 'test',
  input: { path: 'a.mp4', bytes: 1, hash: `sha256-sampled:${'0'.repeat(64)}`, kind: 'video', width: 100, height: 80, rotation: 0, duration: 1, frameCount: 10, timestamps: Float64Array.from({ length: 10 }, (_, i) => i / 10) },
  settings: { threshold: 0.5, candidateFloor: 0.1, detector: ['yunet'], passes: 'default', detectEvery: 1, tracking: null },
  tracks: [],
  candidates: [],
});

describe('ReviewSession', () => {
  it('undoes and redoes edits as previous project values, and a new edit drops the redo stack', () => {
    const s = new ReviewSession(join(tempDir(), 'p.json'), project());
    const p0 = s.project;
    s.apply(editFor({ op: 'static', box: { x1: 10, y1: 10, x2: 30, y2: 30 }, first: 0, last: 4 }));
    const p1 = s.project;
    s.apply(editFor({ op: 'setAction', id: 0, action: 'keep' }));
    expect(s.project.tracks[0]!.action).toBe('keep');
    expect(s.undo()).toBe(true);
    expect(s.project).toBe(p1);
    expect(s.undo()).toBe(true);
    expect(s.project).toBe(p0);
    expect(s.undo()).toBe(false);
    expect(s.redo()).toBe(true);
    expect(s.project).toBe(p1);
    s.apply(editFor({ op: 'delete', id: 0 }));
    expect(s.canRedo).toBe(false);
    expect(s.project.tracks).toEqual([]);
  });

  it('leaves the project as it was when an edit cannot apply', () => {
    const s = new ReviewSession(join(tempDir(), 'p.json'), project());
    expect(() => s.apply(editFor({ op: 'accept', id: 7 }))).toThrow(/no candidate 7/);
    expect(s.canUndo).toBe(false);
    expect(s.revision).toBe(0);
  });

  it('saves the current revision with a temp file and a rename, leaving no temp file behind', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.json');
    const s = new ReviewSession(file, project());
    s.apply(editFor({ op: 'static', box: { x1: 10, y1: 10, x2: 30, y2: 30 }, first: 2, last: 3 }));
    expect(s.isSaved).toBe(false);
    await s.flush();
    expect(s.isSaved).toBe(true);
    expect(readdirSync(dir)).toEqual(['p.json']);
    const saved = parseProject(readFileSync(file, 'utf8'));
    expect(Array.from(saved.tracks[0]!.boxes.frame)).toEqual([2, 3]);
  });
});
