import { boxesOf, type BoxRow } from '../../src/project/boxes.js';
import type { Project } from '../../src/project/schema.js';

/** A small valid project: two tracks (auto redact, manual keep) and one candidate, on `frames` frames of 640x480. */
const row = (frame: number, x: number, kind: BoxRow['kind'] = 'detected', score = 0.9): BoxRow => ({ frame, box: { x1: x, y1: 10, x2: x + 40.3, y2: 58.7 }, score, kind });

export function sampleProject(frames = 10): Project {
  return {
    format: 'faceblur-project',
    version: 1,
    faceblur: '0.1.0',
    input: {
      path: 'clip.mp4', bytes: 1234, hash: `sha256-sampled:${'ab'.repeat(32)}`, kind: 'video', width: 640, height: 480, rotation: 0,
      duration: frames / 30, frameCount: frames, timestamps: Float64Array.from({ length: frames }, (_, i) => i / 30),
    },
    settings: { threshold: 0.3, candidateFloor: 0.1, detector: ['yunet'], passes: 'default', detectEvery: 1, tracking: { hold: 0.5, lookahead: 0.5, smooth: 3 } },
    tracks: [
      { id: 0, origin: 'auto', action: 'redact', boxes: boxesOf([row(0, 100), row(1, 101.5, 'interpolated'), row(2, 103, 'held', 0.41), row(3, 99, 'lookahead')]) },
      { id: 1, origin: 'manual', action: 'keep', label: 'interviewee', boxes: boxesOf([row(5, 300, 'keyframe', 1)]) },
    ],
    candidates: [{ id: 2, bestScore: 0.22, boxes: boxesOf([row(7, 500, 'detected', 0.22)]) }],
  };
}

