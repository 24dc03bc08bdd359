import { existsSync, openAsBlob, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, IMAGES, psnr, rgbFrame, runCli, statusOf, tempDir } from '../helpers.js';
import { cutClip, groupClip, magentaPixels, startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from './harness.js';

const MASK = { replacewith: 'solid', color: 'ff00ff' };

describe('faceblur serve: the HTTP API', () => {
  let s: Serve;
  let data: string;
  let dir: string;
  let clip: string;
  beforeAll(async () => {
    dir = tempDir('faceblur-serve-');
    data = join(dir, 'data');
    clip = join(dir, 'group.mp4');
    groupClip(clip);
    s = await startServe(['--data', data, '--max-upload-size', '3M']);
  });
  afterAll(async () => {
    if (s) await stopServe(s);
  });

  const jobIds = () => readdirSync(join(data, 'jobs'));
  const uploadsLeft = () => readdirSync(join(data, 'uploads'));

  it('creates a job by upload, reports progress, and serves the anonymized video: the CLI\'s own result, faces covered', async () => {
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: clip, name: 'my talk.mp4' }], MASK) });
    expect(res.status).toBe(201);
    const { jobs, errors } = (await res.json()) as { jobs: JobJson[]; errors: unknown[] };
    expect(errors).toEqual([]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.args).toEqual(['--replacewith=solid', '--color=ff00ff']);
    const { job, progress } = await waitForJob(s, jobs[0]!.id);
    expect(job.status, job.message).toBe('done');
    // What the run found, as the CLI says it (a trial's team could not tell a job with no face from one with ten).
    expect(job.message).toMatch(/^\d+ face tracks anonymized in 30 of 30 frames; /);
    expect(job.message).not.toContain(data);
    expect(progress.length, 'seen running').toBeGreaterThan(0);
    expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);

    const list = (await (await s.api('/api/jobs')).json()) as { jobs: JobJson[] };
    expect(list.jobs.map((j) => j.id)).toContain(job.id);

    const dl = await s.api(`/api/jobs/${job.id}/output`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('video/mp4');
    expect(dl.headers.get('content-disposition')).toContain("filename*=UTF-8''my%20talk_anonymized.mp4");
    const out = join(dir, 'download.mp4');
    writeFileSync(out, Buffer.from(await dl.arrayBuffer()));
    expect(statSync(out).size).toBe(job.outputSize);
    const probe = ffprobe(out);
    const video = probe.streams.find((st) => st.codec_type === 'video')!;
    expect([video.width, video.height, Number(video.nb_read_frames)]).toEqual([480, 320, 30]);

    // The same file through the CLI directly: serve runs the same code, so the frames agree.
    const direct = join(dir, 'direct.mp4');
    const cli = await runCli([clip, '-o', direct, '--replacewith', 'solid', '--color', 'ff00ff']);
    expect(cli.code, cli.stderr).toBe(0);
    for (const n of [0, 15, 29]) {
      expect(psnr(rgbFrame(out, 480, 320, n), rgbFrame(direct, 480, 320, n), 480, () => true)).toBeGreaterThan(45);
      // Six faces of 25-40 px: each mask paints hundreds of pixels.
      expect(magentaPixels(out, 480, 320, n)).toBeGreaterThan(6 * 300);
    }
    expect(magentaPixels(clip, 480, 320)).toBe(0);
  });

  it('one bad file in a multi-file upload does not stop the others; refused files leave nothing behind', async () => {
    const notMedia = join(dir, 'notes.mp4');
    writeFileSync(notMedia, 'these are notes, not a video\n'.repeat(100));
    const big = join(dir, 'big.jpg');
    writeFileSync(big, Buffer.alloc(4 * 2 ** 20, 7));
    const before = jobIds().length;
    const res = await s.api('/api/jobs', {
      method: 'POST',
      body: await uploadForm([{ path: notMedia }, { path: join(IMAGES, 'deface_city.jpg') }, { path: big }, { path: notMedia, name: 'notes.txt' }], MASK),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { jobs: JobJson[]; errors: { name: string; status: number; error: string }[] };
    expect(body.jobs.map((j) => j.name)).toEqual(['deface_city.jpg']);
    expect(body.errors.map((e) => [e.name, e.status])).toEqual([
      ['notes.mp4', 415],
      ['big.jpg', 413],
      ['notes.txt', 415],
    ]);
    expect(body.errors[0]!.error).toMatch(/^notes\.mp4: not a readable media file/);
    expect(body.errors[1]!.error).toBe('big.jpg: larger than the 3 MiB this server accepts (--max-upload-size)');
    // A name without a media extension is read by its content, which is not media either.
    expect(body.errors[2]!.error).toMatch(/^notes\.txt: not a readable media file \(Invalid data found when processing input\)$/);
    expect(jobIds().length).toBe(before + 1);
    expect(uploadsLeft()).toEqual([]);
    const { job } = await waitForJob(s, body.jobs[0]!.id);
    expect(job.status, job.message).toBe('done');
    // Serve's log names each refused upload (a trial's said nothing of five).
    expect(s.run.stderr()).toMatch(/upload refused: notes\.mp4: not a readable media file/);
    expect(s.run.stderr()).toContain('upload refused: big.jpg: larger than the 3 MiB this server accepts (--max-upload-size)');

    // Only bad files: the request fails with the first file's status.
    const only = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: notMedia }]) });
    expect(only.status).toBe(415);
    expect(uploadsLeft()).toEqual([]);
  });

  it('takes files without an extension by their content (a phone export IMG_0042, a clip), and refuses one that is not media', async () => {
    const notes = join(dir, 'notes');
    writeFileSync(notes, 'meeting notes, not a photo\n'.repeat(40));
    const res = await s.api('/api/jobs', {
      method: 'POST',
      body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg'), name: 'IMG_0042' }, { path: clip, name: 'clip' }, { path: notes }], MASK),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { jobs: (JobJson & { kind: string })[]; errors: { name: string; status: number; error: string }[] };
    expect(body.jobs.map((j) => [j.name, j.kind])).toEqual([['IMG_0042', 'photo'], ['clip', 'video']]);
    expect(body.errors).toEqual([{ name: 'notes', status: 415, error: 'notes: not a readable media file (Invalid data found when processing input)' }]);
    const [photo, video] = body.jobs;
    expect(readdirSync(join(data, 'jobs', photo!.id)).filter((f) => f.startsWith('input'))).toEqual(['input.jpg']);
    expect(readdirSync(join(data, 'jobs', video!.id)).filter((f) => f.startsWith('input'))).toEqual(['input.mp4']);
    expect(uploadsLeft()).toEqual([]);
    for (const [job, type, name] of [[photo!, 'image/jpeg', 'IMG_0042_anonymized.jpg'], [video!, 'video/mp4', 'clip_anonymized.mp4']] as const) {
      const { job: end } = await waitForJob(s, job.id);
      expect(end.status, end.message).toBe('done');
      const dl = await s.api(`/api/jobs/${job.id}/output`);
      expect(dl.headers.get('content-type')).toBe(type);
      expect(dl.headers.get('content-disposition')).toContain(`filename="${name}"`);
      const out = join(dir, name);
      writeFileSync(out, Buffer.from(await dl.arrayBuffer()));
      expect(ffprobe(out).streams[0]!.codec_name).toBe(type === 'image/jpeg' ? 'mjpeg' : 'h264');
    }
    expect(magentaPixels(join(dir, 'clip_anonymized.mp4'), 480, 320)).toBeGreaterThan(6 * 300);
  });

  it('takes a video named .jpg as a video and a photo named .mp4 as a photo, and names a long download within 255 bytes', async () => {
    // A trial's clip.jpg (a video) was queued as a photo and failed with "not a readable image".
    const long = `${'b'.repeat(250)}.jpg`;
    const res = await s.api('/api/jobs', {
      method: 'POST',
      body: await uploadForm([{ path: clip, name: 'clip.jpg' }, { path: join(IMAGES, 'deface_city.jpg'), name: 'still.mp4' }, { path: join(IMAGES, 'deface_city.jpg'), name: long }], MASK),
    });
    const body = (await res.json()) as { jobs: (JobJson & { kind: string })[] };
    expect(body.jobs.map((j) => [j.name, j.kind])).toEqual([['clip.jpg', 'video'], ['still.mp4', 'photo'], [long, 'photo']]);
    const names = [];
    for (const job of body.jobs) {
      const { job: end } = await waitForJob(s, job.id);
      expect(end.status, end.message).toBe('done');
      const dl = await s.api(`/api/jobs/${job.id}/output`);
      names.push(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(dl.headers.get('content-disposition')!)![1]!));
    }
    expect(names.slice(0, 2)).toEqual(['clip_anonymized.mp4', 'still_anonymized.jpg']);
    // A trial's 250-character name came down as 261 characters, which no file system takes.
    expect(Buffer.byteLength(names[2]!)).toBe(255);
    expect(names[2]).toMatch(/^b+_anonymized\.jpg$/);
  });

  it('logs a job that fails when it runs, with its reason', async () => {
    // An encoder MP4 cannot hold passes the upload's checks and fails at the muxer; a trial's serve logged no failure at all.
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: clip, name: 'gif in mp4.mp4' }], { codec: 'gif' }) });
    const { job } = await waitForJob(s, ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id);
    expect(job.status).toBe('failed');
    await expect.poll(() => s.run.stderr(), { timeout: 5_000 }).toContain(`error: job ${job.id} (gif in mp4.mp4) failed: ${job.message}`);
  });

  it('refuses settings sent after the files, and makes no job of the files before them', async () => {
    // Found in a new-user trial: the 400 came with a job made anyway, with the default settings.
    const before = jobIds().sort();
    const form = new FormData();
    form.append('file', await openAsBlob(join(IMAGES, 'deface_city.jpg')), 'late.jpg');
    form.append('settings', JSON.stringify({ replacewith: 'solid' }));
    const res = await s.api('/api/jobs', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'the settings field must come before the files (no job was made)' });
    expect(jobIds().sort()).toEqual(before);
    expect(uploadsLeft()).toEqual([]);
  });

  it('keeps a double quote in a file name (sent as %22), in the list and in the download\'s name', async () => {
    // Found in a new-user trial: "q\" été.jpg" was listed as q%22 été.jpg.
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg'), name: 'say "cheese" été.jpg' }]) });
    const { job } = await waitForJob(s, ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id);
    expect(job.name).toBe('say "cheese" été.jpg');
    const dl = await s.api(`/api/jobs/${job.id}/output`);
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="say _cheese_ _t__anonymized.jpg"; filename*=UTF-8''${encodeURIComponent('say "cheese" été_anonymized.jpg')}`);
  });

  it('names the download of a job that hides nothing (--replacewith none) _not_anonymized, as the CLI names it', async () => {
    // Found in a new-user trial: it came down as deface_city_anonymized.jpg, every face visible.
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }], { replacewith: 'none' }) });
    const { job } = await waitForJob(s, ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id);
    expect(job.status, job.message).toBe('done');
    const dl = await s.api(`/api/jobs/${job.id}/output`);
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="deface_city_not_anonymized.jpg"; filename*=UTF-8''deface_city_not_anonymized.jpg`);
  });

  it('refuses a cut-off MP4 at the upload, as the CLI would refuse it on the worker after the job had queued', async () => {
    // Found in a new-user trial: the job failed later, and its message was the run's summary ("0 done, 1 failed").
    const cut = join(dir, 'cut.mp4');
    cutClip(cut);
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: cut }]) });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { errors: { error: string }[] };
    expect(body.errors[0]!.error).toMatch(/^cut\.mp4: the file is truncated: its 'mdat' box needs \d+ more bytes than the file has$/);
    expect(uploadsLeft()).toEqual([]);
  });

  it('names an empty upload empty, keeps the start of an over-long name, and answers a mistyped job id with 404', async () => {
    // Each as a new-user trial found it: "moov atom not found", a 287-character name cut from the
    // front (its first words lost), and a schema error ("must match pattern") for /api/jobs/nope.
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const long = `${'Ünïcødé 名前 with spaces '.repeat(12)}😀 photo.jpg`;
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: empty }, { path: join(IMAGES, 'deface_city.jpg'), name: long }], MASK) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { jobs: JobJson[]; errors: { name: string; status: number; error: string }[] };
    expect(body.errors).toEqual([{ name: 'empty.mp4', status: 415, error: 'empty.mp4: the file is empty (0 bytes)' }]);
    const name = body.jobs[0]!.name;
    expect([...name]).toHaveLength(255);
    expect(name.startsWith('Ünïcødé 名前 with spaces Ünïcødé')).toBe(true);
    expect(name.endsWith('with spaces 😀 photo.jpg')).toBe(true);
    expect(name).toContain('…');
    const { job } = await waitForJob(s, body.jobs[0]!.id);
    expect(job.status, job.message).toBe('done');
    for (const [method, path] of [['GET', '/api/jobs/nope'], ['DELETE', '/api/jobs/nope'], ['GET', '/api/jobs/nope/output']] as const) {
      const r = await s.api(path, { method });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(await r.json()).toEqual({ error: 'no job nope (it may have been deleted or expired)' });
    }
  });

  it('checks the settings with the CLI\'s schema and refuses options a job may not set', async () => {
    const post = async (settings: Record<string, unknown>) => {
      const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }], settings) });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    expect(await post({ thresh: 2 })).toEqual({ status: 400, body: { error: 'settings: --thresh must be a number between 0 and 1 (got "2")' } });
    expect(await post({ replacewith: 'sparkles' })).toEqual({ status: 400, body: { error: 'settings: --replacewith must be one of blur, pixelate, solid, none (got "sparkles")' } });
    // Every bad setting at once, so that fixing one is not followed by the next refusal.
    expect(await post({ thresh: 2, replacewith: 'sparkles' })).toEqual({
      status: 400,
      body: { error: 'settings: --thresh must be a number between 0 and 1 (got "2"); --replacewith must be one of blur, pixelate, solid, none (got "sparkles")' },
    });
    // An encoder this ffmpeg lacks is refused at the upload, without the server's path (a trial's job failed later, naming /usr/bin/ffmpeg).
    expect(await post({ codec: '-evil' })).toEqual({ status: 400, body: { error: 'settings: --codec -evil: this ffmpeg has no such encoder' } });
    expect(await post({ codec: 'aac' })).toEqual({ status: 400, body: { error: 'settings: --codec aac: is an audio encoder; give a video one, such as libx264 or libx265' } });
    expect(await post({ ffmpegArgs: '-f image2 /etc/x' })).toEqual({ status: 400, body: { error: 'settings: ffmpegArgs cannot be set for a job' } });
    expect(await post({ model: '/etc/passwd' })).toEqual({ status: 400, body: { error: 'settings: model cannot be set for a job' } });
    expect(uploadsLeft()).toEqual([]);
  });

  it('deletes a job: its folder is gone at once, and the API says so', async () => {
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: clip }]) });
    const id = ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id;
    expect(existsSync(join(data, 'jobs', id, 'input.mp4'))).toBe(true);
    // Deleted while queued or running: the runner stops it, and nothing comes back afterwards.
    const del = await s.api(`/api/jobs/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(existsSync(join(data, 'jobs', id))).toBe(false);
    expect((await s.api(`/api/jobs/${id}`)).status).toBe(404);
    expect((await s.api(`/api/jobs/${id}/output`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(join(data, 'jobs', id))).toBe(false);
  });

  it('refuses requests without credentials, with a wrong token, or naming another host', async () => {
    for (const path of ['/api/jobs', '/api/openapi.json', '/api/options', '/app.js', `/jobs/${jobIds()[0]}/review/`, `/jobs/${jobIds()[0]}/review/api/state`]) {
      expect((await fetch(new URL(path, s.base))).status, path).toBe(401);
    }
    expect((await fetch(new URL('/api/jobs', s.base), { headers: { Authorization: 'Bearer wrong-token-of-any-length' } })).status).toBe(401);
    expect((await fetch(new URL('/api/jobs?token=nope', s.base))).status).toBe(401);
    expect((await fetch(new URL('/api/jobs', s.base), { method: 'POST', body: await uploadForm([{ path: clip }]) })).status).toBe(401);
    // A page without credentials goes to the sign-in form.
    const page = await fetch(s.base, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
    // DNS rebinding: the token is right but the Host names another site.
    expect(await statusOf(`${s.base}api/jobs?token=${s.token}`, 'evil.example:80')).toBe(403);
    expect(await statusOf(`${s.base}api/jobs?token=${s.token}`)).toBe(200);
    expect(uploadsLeft()).toEqual([]);
  });

  it('refuses cross-site requests that change anything (CSRF), even with credentials', async () => {
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }]) });
    const id = ((await res.json()) as { jobs: JobJson[] }).jobs[0]!.id;
    const evil = await s.api(`/api/jobs/${id}`, { method: 'DELETE', headers: { Origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: string }).error).toBe('cross-site request refused (Origin: https://evil.example)');
    const fetchSite = await s.api(`/api/jobs/${id}`, { method: 'DELETE', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(fetchSite.status).toBe(403);
    // `Origin: null` (a sandboxed frame, a data: page) passes only when the browser vouches same-origin.
    for (const site of [undefined, 'cross-site', 'same-site']) {
      const opaque = await s.api(`/api/jobs/${id}`, { method: 'DELETE', headers: { Origin: 'null', ...(site ? { 'Sec-Fetch-Site': site } : {}) } });
      expect(opaque.status, site).toBe(403);
    }
    const upload = await s.api('/api/jobs', { method: 'POST', headers: { Origin: 'http://attacker.test' }, body: await uploadForm([{ path: clip }]) });
    expect(upload.status).toBe(403);
    expect((await s.api(`/api/jobs/${id}`)).status).toBe(200);
    // The same request from serve's own origin goes through.
    expect((await s.api(`/api/jobs/${id}`, { method: 'DELETE', headers: { Origin: s.base.slice(0, -1) } })).status).toBe(204);
  });

  it('an upload cut off mid-way leaves no job and no file', async () => {
    const before = jobIds();
    const boundary = 'faceblur-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
    const bytes = readFileSync(clip);
    await new Promise<void>((resolve) => {
      const req = request(new URL('/api/jobs', s.base), {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + bytes.length + 64) },
      });
      req.on('error', () => resolve());
      req.write(head);
      req.write(bytes.subarray(0, bytes.length >> 1));
      // Let serve write the first half to disk, then drop the connection.
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 700);
    });
    // Serve removes the half-received file once it has seen the connection drop.
    await expect.poll(uploadsLeft, { timeout: 10_000 }).toEqual([]);
    expect(jobIds().sort()).toEqual(before.sort());
  });

  it('describes its API in an OpenAPI document', async () => {
    const doc = (await (await s.api('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.fromEntries(Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]))).toEqual({
      '/api/options': ['get'],
      '/api/jobs': ['get', 'post'],
      '/api/jobs/{id}': ['delete', 'get'],
      '/api/jobs/{id}/output': ['get'],
    });
    expect(JSON.stringify(doc.paths['/api/jobs']!.post)).toContain('multipart/form-data');
    expect(doc.components.schemas.Job).toBeDefined();
  });
});
