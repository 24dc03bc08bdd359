// `prepare` in a clone and `postinstall` for an installed package: makes the bundled ffmpeg/ffprobe
// executable (their own chmod script is not run) and installs the default models. It never fails: offline with no local copy of the models
// it prints one line saying how to get them.
import { chmodSync, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));
for (const pkg of ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe']) {
  try {
    const { path } = require(pkg);
    if (process.platform !== 'win32' && existsSync(path)) chmodSync(path, statSync(path).mode | 0o755);
  } catch {
    // Optional: not installed on this platform, or a system ffmpeg is used instead.
  }
}
if (existsSync(join(root, 'dist', 'cli.js'))) {
  spawnSync(process.execPath, [join(root, 'bin', 'faceblur.js'), 'models', 'install', '--offline-ok'], { stdio: 'inherit' });
}
