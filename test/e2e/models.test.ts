import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES, MODEL_DIR, runCli, tempDir } from '../helpers.js';

// `faceblur models ...` as a user runs it, installing into a temp folder (FACEBLUR_INSTALL_DIR).
const UPSTREAM = join(MODEL_DIR, 'upstream');

describe('faceblur models', () => {
  it('installs RetinaFace from its upstream file (converted) and from a runnable copy (copied)', async () => {
    const a = tempDir();
    const fromUpstream = await runCli(['models', 'install', 'retinaface'], { env: { FACEBLUR_MODEL_DIR: UPSTREAM, FACEBLUR_INSTALL_DIR: a } });
    expect(fromUpstream.code).toBe(0);
    expect(fromUpstream.stderr).toMatch(/retinaface: converted/);
    const b = tempDir();
    const fromRunnable = await runCli(['models', 'install', 'retinaface'], { env: { FACEBLUR_MODEL_DIR: MODEL_DIR, FACEBLUR_INSTALL_DIR: b } });
    expect(fromRunnable.stderr).toMatch(/retinaface: copied/);
    expect(readdirSync(a)).toEqual(['retinaface_mnet025_dynamic.onnx']);
  });

  it('shows SCRFD\'s terms and installs it only with --accept-license non-commercial', async () => {
    const dir = tempDir();
    const env = { FACEBLUR_MODEL_DIR: UPSTREAM, FACEBLUR_INSTALL_DIR: dir };
    const refused = await runCli(['models', 'install', 'scrfd'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/non-commercial research purposes only/);
    expect(refused.stderr).toMatch(/--accept-license non-commercial/);
    expect(readdirSync(dir)).toEqual([]);
    const wrongWord = await runCli(['models', 'install', 'scrfd', '--accept-license', 'yes'], { env });
    expect(wrongWord.code).toBe(2);
    expect(wrongWord.stderr).toMatch(/^faceblur: --accept-license yes is not the word these terms take \(it is non-commercial\); scrfd is installed only on request/m);
    // A run cannot use SCRFD from a cache folder that merely holds it: only an accepted install counts.
    const photo = join(IMAGES, 'human_group-1.jpg');
    const shared = { FACEBLUR_MODEL_DIR: MODEL_DIR, FACEBLUR_INSTALL_DIR: dir };
    const notYet = await runCli([photo, '-o', join(dir, 'out.jpg'), '--detector', 'scrfd'], { env: shared });
    expect(notYet.code).toBe(2);
    expect(notYet.stderr).toMatch(/scrfd.*not installed.*--accept-license non-commercial/);
    const thoroughWithout = await runCli([photo, '-o', join(dir, 'out.jpg'), '--thorough', '--verbose', '--force'], { env: shared });
    expect(thoroughWithout.code).toBe(0);
    expect(thoroughWithout.stderr).toMatch(/passes \(model@size\).*yunet_n_dynamic\.onnx@0\.5/);
    expect(thoroughWithout.stderr).not.toMatch(/scrfd/);
    const accepted = await runCli(['models', 'install', 'scrfd', '--accept-license', 'non-commercial'], { env });
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toMatch(/non-commercial research purposes only[\s\S]*scrfd: converted/);
    const run = await runCli([photo, '-o', join(dir, 'scrfd.jpg'), '--detector', 'scrfd'], { env });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'scrfd.jpg'))).toBe(true);
    // Installed, it joins --thorough (photo and video plans), and only --thorough.
    const thorough = await runCli([photo, '-o', join(dir, 'out.jpg'), '--thorough', '--verbose', '--force', '--report', join(dir, 'thorough.json')], { env: shared });
    expect(thorough.stderr).toMatch(/still: .*scrfd_1g_dynamic\.onnx@1/);
    // Said, and recorded: a trial's --thorough used the non-commercial weights without a word, its report naming only yunet.
    expect(thorough.stderr).toContain('--thorough: scrfd joins the passes, as it is installed (its weights are for non-commercial research only)');
    const report = JSON.parse(readFileSync(join(dir, 'thorough.json'), 'utf8'));
    expect(report.settings.detection.models).toEqual({ video: ['yunet', 'yunet-n', 'scrfd'], photo: ['yunet', 'yunet-n', 'scrfd'] });
    // Named beside YuNet, SCRFD is a second model of the ensemble, at all its sizes, not --thorough's one full-size pass.
    const named = await runCli([photo, '-o', join(dir, 'out.jpg'), '--detector', 'yunet,scrfd', '--verbose', '--force'], { env: shared });
    expect(named.stderr).toMatch(/still: .*scrfd_1g_dynamic\.onnx@0\.75/);
    const plain = await runCli([photo, '-o', join(dir, 'out.jpg'), '--verbose', '--force'], { env: shared });
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toMatch(/scrfd/);
  });

  it('lists every model with its licence, and which need the licence accepted', async () => {
    const r = await runCli(['models', 'list'], { env: { FACEBLUR_INSTALL_DIR: tempDir() } });
    expect(r.code).toBe(0);
    const line = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(line('yunet')).toMatch(/Apache-2\.0/);
    expect(line('retinaface')).toMatch(/MIT/);
    expect(line('scrfd')).toMatch(/non-commercial research only.*--accept-license non-commercial/);
    expect(line('scrfd')).toMatch(/not installed/);
  });

  it('refuses an upstream file with the wrong checksum, and says so', async () => {
    const cache = tempDir();
    writeFileSync(join(cache, 'retinaface_mnet025_FaceDetector.onnx'), 'not the upstream file');
    const r = await runCli(['models', 'install', 'retinaface'], { env: { FACEBLUR_MODEL_DIR: cache, FACEBLUR_INSTALL_DIR: tempDir() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/retinaface_mnet025_FaceDetector\.onnx: sha256 .* is neither/);
  });
});
