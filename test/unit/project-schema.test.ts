import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/project/boxes.js';
import { packColumns, unpackColumns } from '../../src/project/columns.js';
import { parseProject, serializeProject, type Project } from '../../src/project/schema.js';
import { sampleProject } from './project-fixture.js';

const reparse = (p: Project) => parseProject(serializeProject(p));
const mutate = (f: (raw: Record<string, any>) => void) => {
  const raw = JSON.parse(serializeProject(sampleProject()));
  f(raw);
  return () => parseProject(JSON.stringify(raw));
};

describe('project schema', () => {
  it('round-trips every field, boxes to 0.1 px and scores to 0.001', () => {
    const p = sampleProject();
    const back = reparse(p);
    expect(back.input.timestamps[9]).toBeCloseTo(9 / 30, 6);
    expect({ ...back.input, timestamps: undefined }).toEqual({ ...p.input, timestamps: undefined });
    expect(back.settings).toEqual(p.settings);
    expect(back.tracks.map((t) => [t.id, t.origin, t.action, t.label])).toEqual([[0, 'auto', 'redact', undefined], [1, 'manual', 'keep', 'interviewee']]);
    const rows = rowsOf(back.tracks[0]!.boxes);
    expect(rows.map((r) => r.kind)).toEqual(['detected', 'interpolated', 'held', 'lookahead']);
    expect(rows[1]!.box.x2).toBeCloseTo(141.8, 4);
    expect(rows[2]!.score).toBeCloseTo(0.41, 4);
    expect(back.candidates[0]!.bestScore).toBe(0.22);
    // A second round trip changes nothing: the quantization is stable.
    expect(serializeProject(reparse(back))).toBe(serializeProject(back));
  });

  it('reads the large-face rule\'s outsized tiers as a list, and an older project\'s single tier as a list of one', () => {
    const tier = { ratio: 1.5, sure: 0.6, threshold: 0.6 };
    const tiers = [tier, { ratio: 1.5, sure: 0.8, threshold: 0.8 }];
    expect(mutate((r) => (r.settings.largeFace = { side: 0.07, threshold: 0.5, outsized: tiers }))().settings.largeFace?.outsized).toEqual(tiers);
    const older = mutate((r) => (r.settings.largeFace = { side: 0.07, threshold: 0.5, outsized: tier }))();
    expect(older.settings.largeFace?.outsized).toEqual([tier]);
    // Written back, every project holds the list (a transform that could not be written back once broke analyze).
    expect(JSON.parse(serializeProject(older)).settings.largeFace.outsized).toEqual([tier]);
    expect(reparse(older).settings).toEqual(older.settings);
    expect(mutate((r) => (r.settings.largeFace = { side: 0.07, threshold: 0.5, outsized: [{ ...tier, sure: 2 }] }))).toThrow(/^settings\.largeFace\.outsized\.0\.sure: /);
  });

  it('the file is JSON whose top level is readable without unpacking', () => {
    const raw = JSON.parse(serializeProject(sampleProject()));
    expect(raw).toMatchObject({ format: 'faceblur-project', version: 1, input: { path: 'clip.mp4', frameCount: 10 } });
    expect(typeof raw.tracks[0].boxes).toBe('string');
  });

  it('refuses other versions, bad fields and damaged packed data with one line', () => {
    // A newer project is a project: the message says to update faceblur, not "not a faceblur project" (a trial).
    expect(mutate((r) => (r.version = 3))).toThrow('made by a newer faceblur (project version 3; this faceblur reads version 1): update faceblur to open it');
    expect(mutate((r) => (r.version = 0))).toThrow('"version" must be the number 1, not 0');
    // A hand edit that quoted the number (a new-user trial): "version 1 is not supported; reads version 1" said nothing.
    expect(mutate((r) => (r.version = '1'))).toThrow('"version" must be the number 1, not "1"');
    expect(() => parseProject('{')).toThrow('not a JSON file');
    expect(mutate((r) => (r.tracks[0].action = 'blur'))).toThrow(/^tracks\.0\.action: /);
    expect(mutate((r) => (r.tracks[0].boxes = 'not base64!'))).toThrow('tracks.0.boxes: expected base64');
    expect(mutate((r) => (r.tracks[0].boxes = Buffer.from('junk').toString('base64')))).toThrow(/packed data/);
    expect(mutate((r) => (r.tracks[1].id = 0))).toThrow('track id 0 is used twice');
    expect(mutate((r) => (r.input.frameCount = 4))).toThrow(/^project: track \d+ has boxes outside frames 0\.\.3/);
    // A candidate is named as one (a new-user trial read "track 4" in a project with no tracks).
    expect(mutate((r) => ((r.tracks = []), (r.input.frameCount = 4)))).toThrow(/^project: candidate \d+ has boxes outside frames 0\.\.3/);
    expect(mutate((r) => (r.input.hash = 'md5:00'))).toThrow(/input\.hash/);
    expect(mutate((r) => (r.tracks[0].boxes = packColumns([[2, 1], [0, 0], [0, 0], [1, 1], [1, 1], [0, 0], [0, 0]])))).toThrow('box frames must increase');
    expect(mutate((r) => (r.tracks[0].boxes = packColumns([[1], [0], [0], [1], [1], [0], [9]])))).toThrow('unknown box kind 9');
    // Corners swapped or equal (hand edits) would be drawn as no mask at all.
    expect(mutate((r) => (r.tracks[0].boxes = packColumns([[3], [1000], [500], [500], [1000], [900], [4]])))).toThrow(
      'tracks.0.boxes: packed data: the box on frame 3 is empty or inverted (x1,y1,x2,y2 = 100.0,50.0,50.0,100.0; x2 must exceed x1, y2 y1)',
    );
    expect(mutate((r) => (r.candidates[0].boxes = packColumns([[0], [100], [100], [100], [200], [900], [0]])))).toThrow(/candidates\.0\.boxes: .*frame 0 is empty or inverted/);
    // A hand edit's score of 5 was taken (a trial); the file keeps thousandths, so 5000 is 5.
    expect(mutate((r) => (r.tracks[0].boxes = packColumns([[3], [0], [0], [500], [500], [5000], [0]])))).toThrow('tracks.0.boxes: packed data: the box on frame 3 has score 5; scores run from 0 to 1');
    // Said as written, not as a float32 ("-0.0010000000474974513").
    expect(mutate((r) => (r.tracks[0].boxes = packColumns([[3], [0], [0], [500], [500], [-1], [0]])))).toThrow('the box on frame 3 has score -0.001; scores run from 0 to 1');
  });
});

describe('packed columns', () => {
  it('keeps large, negative and mixed steps exact', () => {
    const big = [0, 3_600_000_000, 3_600_033_333, -5, 2 ** 40, 7];
    const [back] = unpackColumns(packColumns([big]), [{ make: (n) => new Float64Array(n), scale: 1 }]);
    expect(Array.from(back!)).toEqual(big);
  });

  it('refuses columns of different lengths, fractions, and truncated data', () => {
    expect(() => packColumns([[1, 2], [1]])).toThrow('differ in length');
    expect(() => packColumns([[1.5]])).toThrow('not an integer');
    const two = packColumns([[1, 2]]);
    const f64 = { make: (n: number) => new Float64Array(n), scale: 1 };
    expect(() => unpackColumns(two, [f64, f64])).toThrow(/inconsistent|ends early/);
  });
});
