import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from './errors.js';
import { installModel } from './models/install.js';
import { loadManifest, modelSearchDirs } from './models/manifest.js';

/** `faceblur models install [names]`: returns the exit code. */
export async function installModels(names: string[], offlineOk: boolean): Promise<number> {
  const all = loadManifest();
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) throw usageError(`unknown model ${unknown.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
  const wanted = names.length > 0 ? all.filter((m) => names.includes(m.name)) : all.filter((m) => m.installByDefault);
  let failed = 0;
  for (const m of wanted) {
    const r = await installModel(m);
    if (r.status === 'failed') {
      failed++;
      process.stderr.write(`faceblur: ${r.model}: not installed: ${r.reason}\n`);
    } else process.stderr.write(`faceblur: ${r.model}: ${r.status} (${r.path})\n`);
  }
  return failed > 0 && !offlineOk ? 1 : 0;
}

export async function listModels(): Promise<number> {
  for (const m of loadManifest()) {
    const where = modelSearchDirs().map((d) => join(d, m.file)).find((p) => existsSync(p));
    process.stdout.write(`${m.name.padEnd(12)} ${m.file.padEnd(24)} ${where ? `installed: ${where}` : 'not installed'}  [${m.license}]\n`);
  }
  return 0;
}
