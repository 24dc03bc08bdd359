import { existsSync } from 'node:fs';
import { usageError } from './errors.js';
import { foundPath, installModel } from './models/install.js';
import { installCommand, loadManifest, whereToPut, type ModelEntry } from './models/manifest.js';

/**
 * A model with restrictive terms installs only when the user accepts them by name; its terms are
 * shown either way, so that nobody installs it without having seen them.
 * @throws UserError (exit 2) when the terms are not accepted.
 */
function checkTerms(m: ModelEntry, accepted: string | undefined): void {
  if (!m.licenseGate) return;
  process.stderr.write(`faceblur: ${m.name}: licence terms of the weights: ${m.licenseGate.terms}\n`);
  if (accepted !== m.licenseGate.accept) {
    // A trial's `--accept-license yes` got the terms again with no word on why `yes` did not do.
    const given = accepted === undefined ? '' : `--accept-license ${accepted} is not the word these terms take (it is ${m.licenseGate.accept}); `;
    throw usageError(`${given}${m.name} is installed only on request: run '${installCommand(m)}' if these terms allow your use`);
  }
}

/** `faceblur models install [names]`: returns the exit code. */
export async function installModels(names: string[], o: { offlineOk: boolean; acceptLicense?: string | undefined }): Promise<number> {
  const all = loadManifest();
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) throw usageError(`unknown model ${unknown.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
  const wanted = names.length > 0 ? all.filter((m) => names.includes(m.name)) : all.filter((m) => m.installByDefault);
  for (const m of wanted) checkTerms(m, o.acceptLicense);
  const cache = process.env.FACEBLUR_MODEL_DIR;
  if (cache && !existsSync(cache)) process.stderr.write(`faceblur: warning: FACEBLUR_MODEL_DIR ${cache} does not exist; looking for the models elsewhere\n`);
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
  return o.offlineOk ? 0 : 1;
}

/** `faceblur models list`: one line per model on stdout, with where it is installed and its weights' licence. */
export async function listModels(): Promise<number> {
  for (const m of loadManifest()) {
    const where = foundPath(m);
    const gate = m.licenseGate ? `; install with --accept-license ${m.licenseGate.accept}` : '';
    process.stdout.write(`${m.name.padEnd(12)} ${m.file.padEnd(34)} ${where ? `installed: ${where}` : 'not installed'}  [${m.license}${gate}]\n`);
  }
  return 0;
}
