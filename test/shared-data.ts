import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_DIR, SHARED } from './helpers.js';

/**
 * The files in the shared test-data folder (`../shared`, or FACEBLUR_SHARED) that the tests outside
 * test/unit read. No face photo or model is committed to this repository, so they come from there.
 */
export const NEEDED = [
  join(MODEL_DIR, 'yunet_s_dynamic.onnx'),
  join(MODEL_DIR, 'yunet_n_dynamic.onnx'),
  join(MODEL_DIR, 'centerface-random-weights.onnx'),
  join(MODEL_DIR, 'centerface-random-weights-static.onnx'),
  join(SHARED, 'data', 'images', 'deface_city.jpg'),
  join(SHARED, 'data', 'images', 'human_group-1.jpg'),
  join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4'),
  join(SHARED, 'data', 'wider-val', 'gt.json'),
];

/** The one line that says what is missing and how to point the tests at it; undefined when all is there. */
export function missingDataLine(): string | undefined {
  const missing = NEEDED.filter((p) => !existsSync(p));
  if (missing.length === 0) return undefined;
  return (
    `the tests need faceblur's shared test data (models/*.onnx, data/images, data/videos, data/wider-val) ` +
    `and ${missing.length} of ${NEEDED.length} files are missing, first ${missing[0]}: ` +
    `set FACEBLUR_SHARED to the folder that holds them (FACEBLUR_MODEL_DIR if the models are elsewhere); ` +
    `'npx vitest run --project unit' runs the tests that need none`
  );
}

/**
 * vitest global setup of the data-dependent project: fails the run with that one line instead of a
 * dozen raw ENOENT errors. It fails, never skips, so that CI cannot pass with its data missing.
 */
export default function setup(): void {
  const line = missingDataLine();
  if (line) throw new Error(line);
}
