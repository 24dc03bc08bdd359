import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockProject } from '../../src/project/lock.js';
import { CLI, IMAGES, MODEL_DIR, runCli, sha256, tempDir } from '../helpers.js';
import { makeClip } from '../../fixtures/clips.js';

// What a new-user trial of the redaction-project workflow tripped on, each case as it was found.

const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).toHaveLength(1);

describe('--report paths are checked before any work', () => {
  const dir = tempDir('faceblur-report-path-');
  const photo = join(dir, 'group.jpg');
  copyFileSync(join(IMAGES, 'human_group-1.jpg'), photo);

  it('creates missing folders above the report', async () => {
    const report = join(dir, 'new', 'sub', 'r.json');
    const r = await runCli([photo, '-o', join(dir, 'a.jpg'), '--report', report, '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8')).files).toHaveLength(1);
  });

  it('refuses a report path that is a folder (exit 2), before writing any output', async () => {
    // Found: the whole run went by, then "EISDIR: illegal operation on a directory, rename"; the report was lost.
    mkdirSync(join(dir, 'rdir'));
    const r = await runCli([photo, '-o', join(dir, 'b.jpg'), '--report', join(dir, 'rdir')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/--report .*rdir: is a folder; name a file in it/);
    expect(existsSync(join(dir, 'b.jpg'))).toBe(false);
  });

  it('says in one line why a report cannot be written (exit 1), before writing any output', async () => {
    // Found: an unhandled 'error' event and a Node stack trace (ENOENT, EROFS). A file where a folder
    // should be stands in for a read-only mount, which a test cannot make.
    writeFileSync(join(dir, 'plain'), 'x');
    const r = await runCli([photo, '-o', join(dir, 'c.jpg'), '--report', join(dir, 'plain', 'r.json')]);
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^faceblur: cannot write to .*plain: a parent of the output path is a file$/m);
    expect(r.stderr).not.toMatch(/node:events|at /);
    expect(existsSync(join(dir, 'c.jpg'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('partial'))).toEqual([]);
  });
});

describe('unusable inputs are named for what they are', () => {
  it('an empty file is "empty", a short text file is "not a readable media file"', async () => {
    // Found: "moov atom not found" for the empty one, "truncated … at byte 0" for the text one.
    const dir = tempDir('faceblur-unusable-');
    writeFileSync(join(dir, 'zero.mp4'), '');
    writeFileSync(join(dir, 'hello.mp4'), 'hello\n');
    for (const mode of [[], ['analyze']]) {
      const r = await runCli([...mode, join(dir, 'zero.mp4'), join(dir, 'hello.mp4'), '-o', join(dir, 'out') + '/']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/zero\.mp4: the file is empty \(0 bytes\)/);
      expect(r.stderr).toMatch(/hello\.mp4: not a readable media file/);
      expect(r.stderr).not.toMatch(/truncated/);
    }
  });
});

describe('faceblur track and a project in use', () => {
  const dir = tempDir('faceblur-track-lock-');
  const clip = join(dir, 'group.mp4');
  const project = join(dir, 'group.faceblur.json');
  const photo = join(dir, 'group.jpg');
  const photoProject = join(dir, 'group-photo.faceblur.json');

  beforeAll(async () => {
    makeClip(dir, 'group.mp4', { seconds: 6 });
    copyFileSync(join(IMAGES, 'human_group-1.jpg'), photo);
    for (const [input, out] of [[clip, project], [photo, photoProject]]) {
      const r = await runCli(['analyze', input, '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('refuses a project another review or track has open (exit 2), leaving it as it was', async () => {
    // Found: two tracks at once both said "added", and the project kept only the second one's track.
    const release = await lockProject(project, () => undefined);
    try {
      const before = sha256(project);
      const r = await runCli(['track', clip, '--project', project, '--frame', '3', '--box', '200,150,260,220']);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/is open in another faceblur review or track/);
      expect(sha256(project)).toBe(before);
      // Found too: analyze --force replaced a project a review had open; the review's manual tracks
      // were lost, and its next save then lost the new analysis.
      const again = await runCli(['analyze', clip, '-o', project, '--force']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^error: \S+group\.mp4: \S+ is open in another faceblur review or track: let it finish/);
      expect(sha256(project)).toBe(before);
    } finally {
      await release();
    }
  });

  it('a photo\'s project records the settings a photo is detected with: no tracking, no large-face rule', () => {
    // Found: a photo project recorded the video's large-face rule and hold, which the photo plan never applies.
    const photoSettings = JSON.parse(readFileSync(photoProject, 'utf8')).settings;
    expect(photoSettings).toMatchObject({ threshold: 0.65, tracking: null });
    expect(photoSettings.largeFace).toBeUndefined();
    const videoSettings = JSON.parse(readFileSync(project, 'utf8')).settings;
    expect(videoSettings).toMatchObject({ threshold: 0.3, largeFace: { side: 0.07, threshold: 0.5 }, tracking: { hold: 0.5, lookahead: 0.5 } });
  });

  it('keeps a project\'s permissions and symbolic link, and refuses one its user may not write (exit 2)', async () => {
    // Found: track made a 600 project 644, replaced a symbolic link by a file, and rewrote a
    // read-only project (owner and mode reset).
    const copy = join(dir, 'perm.faceblur.json');
    copyFileSync(photoProject, copy);
    chmodSync(copy, 0o600);
    const link = join(dir, 'link.faceblur.json');
    symlinkSync(copy, link);
    const added = await runCli(['track', photo, '--project', link, '--frame', '0', '--box', '100,100,160,170', '-q']);
    expect(added.code, added.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) {
      // Root's edit of another user's project leaves it theirs (a trial's became root's).
      chownSync(copy, 65534, 65534);
      const again = await runCli(['track', photo, '--project', copy, '--frame', '0', '--box', '200,100,260,170', '-q']);
      expect(again.code, again.stderr).toBe(0);
      expect([statSync(copy).uid, statSync(copy).gid]).toEqual([65534, 65534]);
    }
    expect(JSON.parse(readFileSync(copy, 'utf8')).tracks.some((t: { origin: string }) => t.origin === 'manual')).toBe(true);
    // Read-only for the user who runs faceblur: as root, that user is "nobody" (runuser), as CI runs as root.
    const readOnly = join(dir, 'ro', 'ro.faceblur.json');
    mkdirSync(join(dir, 'ro'));
    copyFileSync(photoProject, readOnly);
    chmodSync(readOnly, 0o444);
    for (const d of [dir, join(dir, 'ro')]) chmodSync(d, 0o777);
    const before = sha256(readOnly);
    const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--', process.execPath] : [process.execPath];
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(asUser[0]!, [...asUser.slice(1), CLI, 'track', photo, '--project', readOnly, '--frame', '0', '--box', '100,100,160,170'], {
        env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, XDG_CACHE_HOME: join(dir, 'ro') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`faceblur: ${readOnly} is read-only: the edits are saved into it; make it writable (chmod u+w) or give another --project file\n`);
    expect(sha256(readOnly)).toBe(before);
    expect(readdirSync(join(dir, 'ro'))).toEqual(['ro.faceblur.json']);
    // A writable project in a folder its user may not write: track failed after the follow (raw EACCES).
    if (process.getuid?.() === 0) {
      chmodSync(readOnly, 0o666);
      chmodSync(join(dir, 'ro'), 0o755);
      const folder = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'track', photo, '--project', readOnly, '--frame', '0', '--box', '100,100,160,170'], {
          env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, XDG_CACHE_HOME: join(dir, 'ro') },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect([folder.code, folder.stderr]).toEqual([2, `faceblur: ${readOnly}: its folder ${join(dir, 'ro')} is read-only, and the edits are saved there; give another --project file\n`]);
      expect(sha256(readOnly)).toBe(before);
    }
  });

  it('refuses, on a photo as on a video, a box with less than 4x4 pixels inside the frame (exit 2)', async () => {
    // Found: on a photo, 5000,5000,6000,6000 exited 1 and a 2x2 box was added.
    for (const [input, p] of [[photo, photoProject], [clip, project]] as const) {
      for (const box of ['5000,5000,6000,6000', '100,100,102,102']) {
        const before = sha256(p);
        const r = await runCli(['track', input, '--project', p, '--frame', '0', '--box', box]);
        expect(r.code, `${input} ${box}`).toBe(2);
        oneLine(r.stderr);
        expect(r.stderr).toMatch(/has less than 4x4 pixels inside the \d+x\d+ frame/);
        expect(sha256(p)).toBe(before);
      }
    }
  });

  it('SIGINT during the follow says so, exits 130, and leaves the project and no lock behind', async () => {
    // Found: exit 130 with nothing on stderr.
    const before = sha256(project);
    const child = spawn(process.execPath, [CLI, 'track', clip, '--project', project, '--frame', '30', '--box', '200,150,300,250'], {
      // Progress lines into the pipe: the first one is written as the follow reads its first frame.
      env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR, FACEBLUR_PROGRESS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/frames/.test(stderr)) resolve();
      }),
    );
    expect(existsSync(`${project}.lock`)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    stderr = stderr.replace(/^following the box .*\n/gm, '');
    oneLine(stderr);
    expect(stderr).toMatch(/SIGINT, stopping; .*group\.faceblur\.json is unchanged/);
    expect(sha256(project)).toBe(before);
    expect(existsSync(`${project}.lock`)).toBe(false);
  });
});
