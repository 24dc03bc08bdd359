import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

describe('a folder input with a subfolder its user may not read', () => {
  it.runIf(process.getuid?.() === 0)('names that subfolder as a failure and takes the rest (it stopped the whole run)', () => {
    // A trial's `faceblur f -r` as nobody stopped at "EACCES: permission denied, scandir 'f/secret'".
    const root = tempDir();
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'f', 'secret'), { recursive: true });
    writeFileSync(join(root, 'f', 'a.jpg'), 'x');
    writeFileSync(join(root, 'f', 'secret', 'b.jpg'), 'x');
    chmodSync(join(root, 'f'), 0o755);
    chmodSync(join(root, 'f', 'secret'), 0o700);
    const module = pathToFileURL(join(ROOT, 'dist', 'io', 'inputs.js')).href;
    const code = `const r = (await import(${JSON.stringify(module)})).expandInputs([${JSON.stringify(join(root, 'f'))}], true); console.log(JSON.stringify(r))`;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as { files: { path: string }[]; problems: { input: string; message: string }[] };
    expect(got.files.map((f) => f.path)).toEqual([join(root, 'f', 'a.jpg')]);
    expect(got.problems).toEqual([{ input: join(root, 'f', 'secret'), message: 'cannot read this folder: permission denied' }]);
  });
});
