import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MODEL_DIR, ROOT, tempDir } from '../helpers.js';

interface Summary {
  easy: { coverageRecall: number };
  medium: { coverageRecall: number };
  hard: { coverageRecall: number };
  spill: number;
}

/**
 * A fast slice of `npm run bench:accuracy` (every 13th WIDER FACE val photo, 21 photos) through the
 * real CLI, judged from output pixels. Measured at 1.000/0.967/0.949 coverage recall with 1.3% spill
 * (the two-pass video plan gets 0.974/0.950/0.944 with 2.8%); the bounds sit a little below, so a real
 * regression (photos losing the ensemble, a broken mask margin, a decoding error) fails while
 * run-to-run noise does not.
 */
it('default settings cover the faces of a WIDER FACE slice, with little spill', () => {
  const out = tempDir();
  execFileSync(process.execPath, [join(ROOT, 'bench', 'accuracy.js')], {
    env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, BENCH_SLICE: '13', BENCH_CONFIGS: 'default', BENCH_RUNS: '1', BENCH_WORK: out, BENCH_OUT: out },
    stdio: 'pipe',
  });
  const doc = JSON.parse(readFileSync(join(out, 'accuracy-slice13.json'), 'utf8')) as { photos: number; results: Record<string, { all: Summary }> };
  expect(doc.photos).toBe(21);
  const r = doc.results.default!.all;
  expect(r.easy.coverageRecall).toBeGreaterThanOrEqual(0.98);
  expect(r.medium.coverageRecall).toBeGreaterThanOrEqual(0.955);
  expect(r.hard.coverageRecall).toBeGreaterThanOrEqual(0.935);
  expect(r.spill).toBeLessThanOrEqual(0.025);
});
