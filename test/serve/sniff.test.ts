import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/media/ffmpeg.js';
import { probe } from '../../src/media/probe.js';
import { extensionFromContent } from '../../src/media/sniff.js';
import { ffmpeg, IMAGES, SHARED, tempDir } from '../helpers.js';

/** Real files of each format, written by ffmpeg under a name without an extension, read back by ffprobe. */
describe('the format of an upload without an extension, from its content', () => {
  const dir = tempDir('faceblur-sniff-');
  const photo = join(IMAGES, 'human_group-1.jpg');
  const video = join(SHARED, 'data', 'videos', 'one-by-one-person-detection.mp4');
  /** name → [ffmpeg arguments writing the file under a temp extension, the extension expected] */
  const cases: Record<string, [string[], string]> = {
    jpeg: [[], '.jpg'],
    png: [['-i', photo, 'x.png'], '.png'],
    webp: [['-i', photo, 'x.webp'], '.webp'],
    tiff: [['-i', photo, 'x.tif'], '.tif'],
    mp4: [['-t', '1', '-i', video, '-c', 'copy', 'x.mp4'], '.mp4'],
    mov: [['-t', '1', '-i', video, '-c', 'copy', 'x.mov'], '.mp4'],
    webm: [['-t', '0.5', '-i', video, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', 'x.webm'], '.mkv'],
    mkv: [['-t', '1', '-i', video, '-c', 'copy', 'x.mkv'], '.mkv'],
    ts: [['-t', '1', '-i', video, '-c', 'copy', 'x.ts'], '.ts'],
    avi: [['-t', '1', '-i', video, 'x.avi'], '.avi'],
    gif: [['-t', '0.5', '-i', video, 'x.gif'], '.gif'],
  };
  beforeAll(() => {
    for (const [name, [args]] of Object.entries(cases)) {
      if (!args.length) {
        copyFileSync(photo, join(dir, name));
        continue;
      }
      const out = join(dir, `${name}-${args[args.length - 1]}`);
      ffmpeg([...args.slice(0, -1), out]);
      copyFileSync(out, join(dir, name));
    }
  });

  it.each(Object.entries(cases).map(([name, [, ext]]) => [name, ext]))('%s → %s', async (name, ext) => {
    expect(extensionFromContent(await probe(findFfmpeg(), join(dir, name)))).toBe(ext);
  });

  it('a format faceblur does not take has no extension (a WAV recording)', async () => {
    const audio = join(dir, 'voice');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=0.5', '-f', 'wav', audio]);
    expect(extensionFromContent(await probe(findFfmpeg(), audio))).toBeUndefined();
  });
});
