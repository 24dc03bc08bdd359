// Installs the default models after `npm install`. In a fresh clone this runs before `prepare` has
// built dist/, so it does nothing then, and `prepare` calls it again once the build exists.
// It never fails the install: offline with no local cache it prints how to get the models.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
if (existsSync(join(root, 'dist', 'cli.js'))) {
  spawnSync(process.execPath, [join(root, 'bin', 'faceblur.js'), 'models', 'install', '--offline-ok'], { stdio: 'inherit' });
}
