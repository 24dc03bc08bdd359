import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaceStats } from '../../src/pipeline/face-stats.js';
import { ReportWriter } from '../../src/report.js';
import { tempDir } from '../helpers.js';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('ReportWriter', () => {
  it('records version, settings, each region\'s kind and track, failed inputs, and summaries; drops masks with nothing inside the frame', async () => {
    const path = join(tempDir(), 'report.json');
    const w = new ReportWriter(path, '9.9.9', { detection: { threshold: 0.3 } });
    w.failed('missing.mp4', 'no such file or folder');
    const f = w.beginFile({ input: 'a.mp4', output: 'a_anonymized.mp4', kind: 'video', width: 100, height: 50 });
    f.frame(0, 0, [
      { box: box(10, 10, 30.04, 30), face: box(12, 12, 28, 28), score: 0.91234, kind: 'detected', track: 0 },
      // Clipped to the frame by the processor, a mask wholly outside has no width left: dropped.
      { box: box(100, 10, 100, 30), face: box(100, 12, 100, 28), score: 0.5, kind: 'held', track: 1 },
    ]);
    f.frame(1, 0.04, [{ box: box(11, 10, 31, 30), face: box(13, 12, 29, 28), score: 0.91234, kind: 'held', track: 0 }]);
    f.end({ status: 'ok', frames: 2 });
    // A failure reported again after its section exists is not listed twice.
    w.failed('a.mp4', 'late');
    await w.close();
    const r = JSON.parse(readFileSync(path, 'utf8'));
    expect(r).toMatchObject({ format: 'faceblur-report', version: 1, faceblur: '9.9.9', settings: { detection: { threshold: 0.3 } } });
    expect(r.files).toHaveLength(2);
    expect(r.files[0]).toEqual({ input: 'missing.mp4', status: 'failed', error: 'no such file or folder', frames: [], frameCount: 0 });
    const a = r.files[1];
    expect(a.frames[0].regions).toEqual([{ x1: 10, y1: 10, x2: 30, y2: 30, score: 0.912, face: { x1: 12, y1: 12, x2: 28, y2: 28 }, kind: 'detected', track: 0 }]);
    expect(a.frames[1].regions[0]).toMatchObject({ kind: 'held', track: 0 });
    expect(a.summary).toEqual({ tracks: 1, regions: 2, framesWithRegions: 2, framesWithPredictedRegions: 1 });
    expect(r.summary).toEqual({ files: 2, failed: 1, tracks: 1, regions: 2, framesWithRegions: 2, framesWithPredictedRegions: 1 });
  });

  it('counts predicted frames as the run\'s summary line does: a reviewer\'s keyframe rests on a decision, not a prediction', async () => {
    // Found by a new-user trial: after `faceblur track`, stderr said 4 frames rely on held or
    // predicted masks and the report 5 (15 with a 10-frame keyframe track).
    const path = join(tempDir(), 'report.json');
    const w = new ReportWriter(path, '9.9.9', {});
    const f = w.beginFile({ input: 'a.mp4', output: 'a_anonymized.mp4', kind: 'video', width: 100, height: 50 });
    const stats = new FaceStats(0.3);
    const frames = [['keyframe'], ['keyframe', 'detected'], ['interpolated'], ['held', 'keyframe'], ['lookahead'], ['detected']] as const;
    frames.forEach((kinds, i) => {
      const regions = kinds.map((kind, t) => ({ box: box(10, 10, 30, 30), face: box(12, 12, 28, 28), score: 0.9, kind, track: t }));
      f.frame(i, i / 10, regions);
      stats.frame(i / 10, regions.map((r) => ({ ...r, trackId: r.track })));
    });
    f.end({ status: 'ok', frames: frames.length });
    await w.close();
    const r = JSON.parse(readFileSync(path, 'utf8'));
    expect(r.files[0].summary.framesWithPredictedRegions).toBe(3);
    expect(stats.summary().framesPredicted).toBe(3);
  });
});
