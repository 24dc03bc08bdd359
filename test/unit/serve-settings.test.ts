import { readableSeconds } from '../../src/serve/units.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argsToSettings, jobOptionsHelp, settingsToArgs, SettingsError } from '../../src/serve/job-settings.js';
import { serveOptionsSchema } from '../../src/serve/options.js';

describe('job settings', () => {
  it('become CLI words checked by the CLI schema, one word per value, and back', () => {
    const settings = { thresh: 0.4, replacewith: 'pixelate', boxes: true, audio: false, tracking: true, scale: '640x', codec: '--model' };
    const { args, options } = settingsToArgs(settings);
    expect(args).toEqual(['--thresh=0.4', '--replacewith=pixelate', '--boxes', '--no-audio', '--scale=640x', '--codec=--model']);
    expect([options.thresh, options.boxes, options.audio, options.scale]).toEqual([0.4, true, false, { width: 640, height: undefined }]);
    expect(argsToSettings(args)).toEqual({ thresh: '0.4', replacewith: 'pixelate', boxes: true, audio: false, scale: '640x', codec: '--model' });
  });

  it('are refused with the CLI\'s own message', () => {
    expect(() => settingsToArgs({ mosaicSize: 1 })).toThrow(new SettingsError('--mosaic-size must be a whole number between 2 and 64 (got "1")'));
    expect(() => settingsToArgs({ detector: 'yunet,opencv' })).toThrow(SettingsError);
  });

  it('name every bad setting at once, not one per try', () => {
    expect(() => settingsToArgs({ thresh: 'abc', replacewith: 'foo', maskScale: 9 })).toThrow(
      new SettingsError('--thresh must be a number between 0 and 1 (got "abc"); --replacewith must be one of blur, pixelate, solid, none (got "foo"); --mask-scale must be a number between 0.5 and 5 (got "9")'),
    );
  });

  describe('on a server with only the default models', () => {
    // Install folders with nothing in them, and a model cache with only the default models.
    const saved = { install: process.env.FACEBLUR_INSTALL_DIR, cache: process.env.FACEBLUR_MODEL_DIR };
    beforeAll(() => {
      process.env.FACEBLUR_INSTALL_DIR = mkdtempSync(join(tmpdir(), 'faceblur-no-models-'));
      const cache = mkdtempSync(join(tmpdir(), 'faceblur-models-'));
      for (const f of ['yunet_s_dynamic.onnx', 'yunet_n_dynamic.onnx']) writeFileSync(join(cache, f), '');
      process.env.FACEBLUR_MODEL_DIR = cache;
    });
    afterAll(() => {
      for (const [k, v] of [['FACEBLUR_INSTALL_DIR', saved.install], ['FACEBLUR_MODEL_DIR', saved.cache]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    it('refuse a detector it has no model for at the upload, with the command that installs it', () => {
      expect(() => settingsToArgs({ detector: 'yunet,scrfd,retinaface' })).toThrow(
        new SettingsError("--detector scrfd,retinaface: not installed on this server (its administrator can run 'npx faceblur models install scrfd --accept-license non-commercial' and 'npx faceblur models install retinaface')"),
      );
      expect(settingsToArgs({ detector: 'yunet-n' }).args).toEqual(['--detector=yunet-n']);
    });

    it('name a missing detector and an unknown codec together with the other bad settings', () => {
      // A trial's "scrfd not installed" came only once every other setting was fixed.
      const noSuch = (name: string) => (name === '-evil' ? `--codec ${name}: this ffmpeg has no such encoder` : undefined);
      expect(() => settingsToArgs({ detector: 'scrfd', thresh: 2, codec: '-evil' }, noSuch)).toThrow(
        new SettingsError("--thresh must be a number between 0 and 1 (got \"2\"); --detector scrfd: not installed on this server (its administrator can run 'npx faceblur models install scrfd --accept-license non-commercial'); --codec -evil: this ffmpeg has no such encoder"),
      );
      expect(settingsToArgs({ codec: 'libx265' }, noSuch).args).toEqual(['--codec=libx265']);
    });

    it('tell the form which detectors it has', () => {
      expect(jobOptionsHelp().find((o) => o.name === 'detector')!.help).toMatch(/; installed on this server: yunet, yunet-n$/);
    });
  });

  it('are described for the page with their defaults', () => {
    const help = jobOptionsHelp();
    expect(help.find((o) => o.name === 'audio')).toMatchObject({ flag: '--no-audio', switchDefault: true });
    expect(help.find((o) => o.name === 'crf')).toMatchObject({ flag: '--crf', default: '18', expects: 'a whole number between 0 and 63' });
    expect(help.map((o) => o.name)).not.toContain('model');
  });
});

describe('serve options', () => {
  it('says the retention in the largest unit that divides it', () => {
    expect([86400, 5400, 7200, 8, 604800].map(readableSeconds)).toEqual(['24 h', '90 min', '2 h', '8 s', '7 d']);
  });

  it('read times and sizes with units', () => {
    const o = serveOptionsSchema.parse({ retention: '90m', maxDuration: '2h', maxUploadSize: '500M' });
    expect([o.retention, o.maxDuration, o.maxUploadSize, o.port, o.host]).toEqual([5400, 7200, 500 * 2 ** 20, 8080, '127.0.0.1']);
    expect(serveOptionsSchema.parse({}).retention).toBe(86400);
    expect(serveOptionsSchema.safeParse({ retention: '0h' }).success).toBe(false);
    expect(serveOptionsSchema.safeParse({ maxUploadSize: '8 GB' }).success).toBe(false);
  });
});
