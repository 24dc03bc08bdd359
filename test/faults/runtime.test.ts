import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, IMAGES, MODEL_DIR, tempDir } from '../helpers.js';
import { childrenOf, errorLines, expectInvariants, hashes, runGuarded, startCli } from './guard.js';
import { faceClip } from '../../fixtures/clips.js';
import { writeBytes } from '../../fixtures/damaged.js';

const until = async (cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const hasTemp = (dir: string) => readdirSync(dir).some((n) => n.includes('.faceblur-partial-'));

/** Mounting needs root, as in CI; a read-only or tiny filesystem cannot be faked for root otherwise. */
function mountTmpfs(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const isRoot = process.getuid?.() === 0;

describe('faults during a run', () => {
  let dir: string;
  let long: string;
  let photo: string;
  const mounts: string[] = [];

  beforeAll(() => {
    dir = tempDir('faceblur-runtime-');
    long = faceClip(dir, 'long.mp4', { width: 640, height: 480, seconds: 8 });
    photo = join(dir, 'photo.jpg');
    copyFileSync(join(IMAGES, 'deface_city.jpg'), photo);
  });
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  for (const which of ['decoder', 'encoder'] as const) {
    it(`the ffmpeg ${which} killed mid-file fails that file only`, async () => {
      const out = join(dir, `killed-${which}`);
      mkdirSync(out);
      const before = hashes([long, photo]);
      const run = startCli([long, photo, '-o', `${out}/`]);
      // The decoder writes to pipe:1, the encoder reads pipe:0; kill it once frames flow through both.
      const find = () => childrenOf(run.child.pid!).find((c) => c.args.includes(which === 'decoder' ? 'pipe:1' : 'pipe:0'));
      await until(() => find() !== undefined && statSync(join(out, readdirSync(out)[0] ?? '.')).size > 0, `the ${which} to run`);
      process.kill(find()!.pid, 'SIGKILL');
      const r = await run.done;
      expectInvariants(r, { inputs: before, dirs: [dir] });
      expect(r.code).toBe(1);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`long\\.mp4: ${which === 'decoder' ? 'decoding' : 'encoding'} failed`))]);
      expect(readdirSync(out)).toEqual(['photo.jpg']);
      expect(r.stderr).toMatch(/1 done, 1 failed/);
    });
  }

  /** A fresh tmpfs mount below the test folder, unmounted after the suite. */
  function tmpfs(name: string, options: string): string {
    const at = join(dir, name);
    mkdirSync(at);
    expect(mountTmpfs(at, options), `mount tmpfs -o ${options}`).toBe(true);
    mounts.push(at);
    return at;
  }

  /** The clip then the photo into `out`, with the invariants checked. */
  async function batchInto(out: string) {
    const before = hashes([long, photo]);
    const r = await runGuarded([long, photo, '-o', `${out}/`]);
    expectInvariants(r, { inputs: before, dirs: [dir] });
    return r;
  }

  it.runIf(isRoot)('a full disk fails the file it hit, frees the space, and the batch goes on', async () => {
    const small = tmpfs('small-disk', 'size=400k');
    const r = await batchInto(small);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/long\.mp4: .*No space left on device/)]);
    // The clip's partial file was removed, so the photo found room.
    expect(readdirSync(small)).toEqual(['photo.jpg']);
    expect(ffprobe(join(small, 'photo.jpg')).streams[0]!.width).toBe(ffprobe(photo).streams[0]!.width);
  });

  it.runIf(isRoot)('a read-only output folder fails each file with a clear reason and writes nothing', async () => {
    const ro = tmpfs('read-only', 'ro,size=1m');
    const r = await batchInto(ro);
    expect(r.code).toBe(1);
    const errs = errorLines(r.stderr);
    expect(errs).toHaveLength(2);
    for (const e of errs) expect(e).toMatch(/read-only file system/i);
    expect(readdirSync(ro)).toEqual([]);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} mid-batch keeps the finished files, removes the partial one and stops`, async () => {
      const out = join(dir, `batch-${signal}`);
      mkdirSync(out);
      const first = join(dir, 'first.jpg');
      copyFileSync(join(IMAGES, 'human_group-1.jpg'), first);
      const before = hashes([first, long, photo]);
      const run = startCli([first, long, photo, '-o', `${out}/`]);
      await until(() => existsSync(join(out, 'first.jpg')) && hasTemp(out), 'the second file to start');
      run.child.kill(signal);
      const r = await run.done;
      expectInvariants(r, { inputs: before, dirs: [dir] });
      expect(r.code).toBe(code);
      expect(readdirSync(out)).toEqual(['first.jpg']);
      expect(ffprobe(join(out, 'first.jpg')).streams[0]!.width).toBeGreaterThan(0);
    });
  }

  it('a corrupt model, or one with the wrong sha256, stops the run before any file is written (exit 2)', async () => {
    const models = join(dir, 'models');
    mkdirSync(models);
    const real = readFileSync(join(MODEL_DIR, 'yunet_s_dynamic.onnx'));
    // Same size, one byte changed: only the checksum can tell.
    const tampered = Buffer.from(real);
    tampered[tampered.length >> 1] ^= 0xff;
    writeBytes(models, 'yunet_s_dynamic.onnx', tampered);
    const corrupt = writeBytes(dir, 'corrupt.onnx', real.subarray(0, real.length >> 2));
    const out = join(dir, 'model-faults');
    const before = hashes([photo]);
    const noInstall = join(dir, 'no-install');
    mkdirSync(noInstall);
    for (const [args, env, why] of [
      [[], { FACEBLUR_MODEL_DIR: models, FACEBLUR_INSTALL_DIR: noInstall }, /model file .*yunet_s_dynamic\.onnx is corrupt \(sha256 .*\): replace it in FACEBLUR_MODEL_DIR with a good copy, or unset FACEBLUR_MODEL_DIR$/],
      [['--model', corrupt], {}, /cannot load model .*corrupt\.onnx/],
    ] as const) {
      const r = await runGuarded([photo, '-o', `${out}/`, ...args], { env });
      expectInvariants(r, { inputs: before, dirs: [dir] });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(why)]);
      expect(existsSync(out)).toBe(false);
    }
    // A good installed copy is used over the corrupt one, which is named (a trial's corrupt copy hid it, and the advice was to delete a file of the user's own folder).
    const installed = join(dir, 'installed');
    mkdirSync(installed);
    writeBytes(installed, 'yunet_s_dynamic.onnx', real);
    writeBytes(installed, 'yunet_n_dynamic.onnx', readFileSync(join(MODEL_DIR, 'yunet_n_dynamic.onnx')));
    const r = await runGuarded([photo, '-o', `${out}/`], { env: { FACEBLUR_MODEL_DIR: models, FACEBLUR_INSTALL_DIR: installed } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^faceblur: warning: model file .*yunet_s_dynamic\\.onnx is corrupt .*; using ${join(installed, 'yunet_s_dynamic.onnx').replace(/[.]/g, '\\.')}$`, 'm'));
  });
});
