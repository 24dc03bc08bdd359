import type { Box } from '../../src/detect/box.js';
import { boxesOf, type BoxRow } from '../../src/project/boxes.js';
import { writeProject } from '../../src/project/file.js';
import { contentHash } from '../../src/project/identity.js';
import type { Project } from '../../src/project/schema.js';

/** A track or candidate for projectFor: a box on each listed frame (kind 'detected' unless given). */
export interface FixtureTrack {
  id: number;
  action?: 'redact' | 'keep';
  /** 'auto' unless given. */
  origin?: 'auto' | 'manual' | 'static';
  /** Makes it a candidate with this best score. */
  candidate?: number;
  frames: number[];
  box: Box | ((frame: number) => Box);
  kind?: BoxRow['kind'];
}

/**
 * Writes a project for a 25 fps clip of `frames` frames (numberedClip), or a photo (one frame), with the given tracks and
 * candidates, as analyze would have made it: so that browser tests start on known boxes without
 * running a detector.
 */
export async function projectFor(clip: string, path: string, o: { frames: number; width: number; height: number; tracks: FixtureTrack[]; kind?: 'video' | 'image' }): Promise<void> {
  const { hash, bytes } = await contentHash(clip);
  const boxes = (t: FixtureTrack) =>
    boxesOf(t.frames.map((frame) => ({ frame, box: typeof t.box === 'function' ? t.box(frame) : t.box, score: t.candidate ?? 0.9, kind: t.kind ?? 'detected' })));
  const project: Project = {
    format: 'faceblur-project',
    version: 1,
    faceblur: 'test',
    input: {
      path: clip, bytes, hash, kind: o.kind ?? 'video', width: o.width, height: o.height, rotation: 0,
      duration: o.kind === 'image' ? 0 : o.frames / 25, frameCount: o.frames, timestamps: Float64Array.from({ length: o.frames }, (_, i) => i / 25),
    },
    settings: { threshold: 0.5, candidateFloor: 0.1, detector: ['yunet'], passes: 'default', detectEvery: 1, tracking: { hold: 0.5, lookahead: 0.5, smooth: 3 } },
    tracks: o.tracks.filter((t) => t.candidate === undefined).map((t) => ({ id: t.id, origin: t.origin ?? 'auto', action: t.action ?? 'redact', boxes: boxes(t) })),
    candidates: o.tracks.filter((t) => t.candidate !== undefined).map((t) => ({ id: t.id, bestScore: t.candidate!, boxes: boxes(t) })),
  };
  await writeProject(path, project);
}

/** Frames first..last inclusive. */
export const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, i) => first + i);
