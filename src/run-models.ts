import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from './errors.js';
import { installModel } from './models/install.js';
import { loadManifest, modelSearchDirs, whereToPut, type ModelEntry } from './models/manifest.js';

/** `faceblur models install [names]`: returns the exit code. */
export async function installModels(names: string[], offlineOk: boolean): Promise<number> {
  const all = loadManifest();
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) throw usageError(`unknown model ${unknown.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
  const wanted = names.length > 0 ? all.filter((m) => names.includes(m.name)) : all.filter((m) => m.installByDefault);
  const failed: { model: ModelEntry; reason: string }[] = [];
  for (const m of wanted) {
    const r = await installModel(m);
    if (r.status === 'failed') failed.push({ model: m, reason: r.reason });
    else process.stderr.write(`faceblur: ${r.model}: ${r.status} (${r.path})\n`);
  }
  if (failed.length === 0) return 0;
  // One line however many models failed: it is what a user offline sees at the end of the install.
  const which = failed.map((f) => f.model.name).join(', ');
  const reasons = [...new Set(failed.map((f) => f.reason))].join('; ');
  process.stderr.write(`faceblur: model ${which} not installed (${reasons}): ${whereToPut(failed.map((f) => f.model))}\n`);
  return offlineOk ? 0 : 1;
}

export async function listModels(): Promise<number> {
  for (const m of loadManifest()) {
    const where = modelSearchDirs().map((d) => join(d, m.file)).find((p) => existsSync(p));
    process.stdout.write(`${m.name.padEnd(12)} ${m.file.padEnd(24)} ${where ? `installed: ${where}` : 'not installed'}  [${m.license}]\n`);
  }
  return 0;
}
