// bench:video's and bench:track's moving-camera clips, made from WIDER photos with the recipe in
// fixtures/moving-camera.js and cached in a work folder with each clip's truth beside it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderClip } from '../../fixtures/moving-camera.js';
import { loadWider } from './wider.js';

export const SCENARIOS = ['pan', 'zoom', 'shake'];

/**
 * `count` clips from WIDER photos with several medium faces, spread over the events in a fixed order
 * (starting `offset` of a step on), named `<name><k>-<scenario>.mp4` in `work`, seeded `seedBase + k`;
 * each with its truth (`<clip>.json`), which is reused when present.
 */
export async function makeClips(work, count, name, scenarioOf, seedBase, offset) {
  mkdirSync(work, { recursive: true });
  const photos = loadWider((im) => im.faces.filter((f) => f.medium && !f.invalid).length >= 3 && im.faces.length <= 40);
  const out = [];
  for (let k = 0; k < count; k++) {
    const im = photos[Math.floor(((k + offset) * photos.length) / count)];
    const scenario = scenarioOf(k);
    const path = join(work, `${name}${k}-${scenario}.mp4`);
    const truthPath = `${path}.json`;
    let truth = existsSync(truthPath) ? JSON.parse(readFileSync(truthPath, 'utf8')) : undefined;
    // Clips cached before the truth carried whole face boxes are made again (same seed, same frames).
    if (!truth?.[0]?.[0]?.full) writeFileSync(truthPath, JSON.stringify((truth = await renderClip(im, scenario, seedBase + k, path))));
    out.push({ path, scenario, truth });
  }
  return out;
}

/** bench:video's main clips: pan, zoom and shake in turn. */
export const syntheticClips = (work, count) => makeClips(work, count, 'clip', (k) => SCENARIOS[k % SCENARIOS.length], 1000, 0);
