import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, IMAGES, MODEL_DIR, runCli, tempDir } from '../helpers.js';
import { groupClip, startServe, stopServe, uploadForm, waitForJob, type JobJson, type Serve } from './harness.js';

/** `faceblur serve --add-user NAME --auth FILE` with the password on standard input. */
function addUser(file: string, name: string, password: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--auth', file, '--add-user', name], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, FACEBLUR_MODEL_DIR: MODEL_DIR } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(`${password}\n`);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('faceblur serve: start, sign-in, retention, limits', () => {
  let s: Serve | undefined;
  afterEach(async () => {
    if (s) await stopServe(s);
    s = undefined;
  });

  it('refuses to listen beyond this machine without --auth: one line, exit 2', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data', tempDir()], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faceblur: --host 0.0.0.0 lets other machines in: give --auth FILE (a token file, or users made with --add-user)\n');
    const bad = await runCli(['serve', '--retention', 'forever'], { timeoutMs: 30_000 });
    expect([bad.code, bad.stderr]).toEqual([2, 'faceblur: --retention must be a time such as 90s, 30m, 24h or 7d (got "forever")\n']);
    const short = join(tempDir(), 'token');
    writeFileSync(short, 'abc\n');
    const weak = await runCli(['serve', '--auth', short, '--port', '0'], { timeoutMs: 30_000 });
    expect([weak.code, weak.stderr]).toEqual([2, `faceblur: --auth ${short}: the token must be at least 16 characters\n`]);
  });

  it('with a token file on 0.0.0.0: the token opens the API and the sign-in form; nothing else does', async () => {
    const dir = tempDir();
    const file = join(dir, 'token');
    writeFileSync(file, 'a-long-team-token-0123456789\n');
    s = await startServe(['--host', '0.0.0.0', '--auth', file, '--data', join(dir, 'data')]);
    expect(s.run.stderr()).toMatch(new RegExp(`Serving: http://\\S+:\\d+/ \\(sign in with the token of ${file}\\)`));
    const base = s.base.replace(/\/\/[^:]+:/, '//127.0.0.1:');
    const bearer = (t: string) => fetch(`${base}api/jobs`, { headers: { Authorization: `Bearer ${t}` } });
    expect((await bearer('a-long-team-token-0123456789')).status).toBe(200);
    expect((await bearer('a-long-team-token-012345678X')).status).toBe(401);
    expect((await fetch(`${base}api/jobs`)).status).toBe(401);
    const login = (body: string) => fetch(`${base}login`, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual' });
    const ok = await login('token=a-long-team-token-0123456789');
    // A session of its own, not the team's lasting token (a trial found that in the address bar and the history).
    expect(ok.status).toBe(303);
    const session = new URL(ok.headers.get('location')!, base).searchParams.get('token')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(ok.headers.get('location')).not.toContain('a-long-team-token');
    expect((await bearer(session)).status).toBe(200);
    const wrong = await login('token=guess');
    expect([wrong.status, wrong.headers.get('location')]).toEqual([303, '/login?failed']);
    // No cookie: the credential never travels by itself.
    expect(ok.headers.get('set-cookie')).toBeNull();
    // Sign out ends the session; the token file's token stays valid.
    const out = await fetch(`${base}logout?token=${session}`, { method: 'POST', redirect: 'manual' });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/login?out']);
    expect((await bearer(session)).status).toBe(401);
    expect((await bearer('a-long-team-token-0123456789')).status).toBe(200);
    expect(await (await fetch(`${base}login?out`)).text()).toContain('Signed out.');
    // A new token in the file takes over at once, and ends the sessions the old one opened.
    const again = new URL((await login('token=a-long-team-token-0123456789')).headers.get('location')!, base).searchParams.get('token')!;
    writeFileSync(file, 'a-new-team-token-9876543210\n');
    expect((await bearer('a-long-team-token-0123456789')).status).toBe(401);
    expect((await bearer(again)).status).toBe(401);
    expect((await bearer('a-new-team-token-9876543210')).status).toBe(200);
  });

  it('with users: --add-user stores an scrypt hash; name and password sign in (form or Basic), a wrong one does not', async () => {
    const dir = tempDir();
    const file = join(dir, 'users');
    expect((await addUser(file, 'ana', 'correct horse battery')).code).toBe(0);
    expect((await addUser(file, 'ben', 'another secret')).code).toBe(0);
    expect((await addUser(file, 'ana', 'changed password')).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['ben:scrypt', 'ana:scrypt']);
    expect(text).not.toContain('changed password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    s = await startServe(['--host', '127.0.0.1', '--auth', file, '--data', join(dir, 'data')]);
    const basic = (user: string, pw: string) => s!.api('/api/jobs', { headers: { Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` } });
    expect((await basic('ana', 'changed password')).status).toBe(200);
    expect((await basic('ana', 'correct horse battery')).status).toBe(401);
    expect((await basic('eve', 'changed password')).status).toBe(401);
    const login = await fetch(`${s.base}login`, { method: 'POST', body: new URLSearchParams({ name: 'ben', password: 'another secret' }), redirect: 'manual' });
    expect(login.status).toBe(303);
    const session = new URL(login.headers.get('location')!, s.base).searchParams.get('token')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await fetch(`${s.base}api/jobs?token=${session}`)).status).toBe(200);
    // Each signed-in user's review page carries their own session, never another user's.
    s.token = session;
    const up = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }]) });
    const id = ((await up.json()) as { jobs: JobJson[] }).jobs[0]!.id;
    expect((await waitForJob(s, id, 60_000)).job.status).toBe('done');
    const other = await fetch(`${s.base}login`, { method: 'POST', body: new URLSearchParams({ name: 'ana', password: 'changed password' }), redirect: 'manual' });
    const session2 = new URL(other.headers.get('location')!, s.base).searchParams.get('token')!;
    for (const [mine, theirs] of [[session, session2], [session2, session]]) {
      const html = await (await fetch(`${s.base}jobs/${id}/review/?token=${mine}`)).text();
      expect(html).toContain(`app.js?token=${mine}`);
      expect(html).not.toContain(theirs!);
    }
    // The editor names the file as it was uploaded, not as serve stored it (input.jpg).
    const review = (path: string) => fetch(`${s!.base}jobs/${id}/review/api/${path}?token=${session}`).then((r) => r.json());
    for (let t = Date.now(); (await review('state')).phase === 'analyzing' && Date.now() - t < 60_000; ) await new Promise((r) => setTimeout(r, 200));
    expect((await review('project')).input.name).toBe('deface_city.jpg');
    const bad = await fetch(`${s.base}login`, { method: 'POST', body: new URLSearchParams({ name: 'ben', password: 'nope' }), redirect: 'manual' });
    expect(bad.headers.get('location')).toBe('/login?failed');
    // A sign-in posted from another site is refused (login CSRF).
    const forged = await fetch(`${s.base}login`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: new URLSearchParams({ name: 'ben', password: 'another secret' }), redirect: 'manual' });
    expect(forged.status).toBe(403);
    // Guessing is limited: 10 wrong passwords a minute per address and name, by the form and Basic alike (ben: 1 above).
    const guesses = [];
    for (let i = 0; i < 9; i++) guesses.push((await fetch(`${s.base}login`, { method: 'POST', body: new URLSearchParams({ name: 'ben', password: `guess${i}` }), redirect: 'manual' })).status);
    expect(guesses).toEqual(Array(9).fill(303));
    const blocked = await fetch(`${s.base}login`, { method: 'POST', body: new URLSearchParams({ name: 'ben', password: 'another secret' }), redirect: 'manual' });
    // The form says so in the page (a trial's browser showed the 429's JSON).
    expect(blocked.status).toBe(303);
    const wait = blocked.headers.get('location')!;
    expect(wait).toMatch(/^\/login\?wait=\d+$/);
    expect(await (await fetch(new URL(wait, s.base))).text()).toMatch(/Too many wrong passwords for this name; try again in \d+ s\./);
    const blockedBasic = await basic('ben', 'another secret');
    expect(blockedBasic.status).toBe(429);
    expect(((await blockedBasic.json()) as { error: string }).error).toMatch(/^too many wrong passwords for this name from your address; try again in \d+ s$/);
    // Another user on the same address (everyone, behind a reverse proxy) is not locked out by ben's typos.
    expect((await basic('ana', 'changed password')).status).toBe(200);
  });

  it('takes in a changed users file at once: a removed user and an old password stop working, and their sessions end', async () => {
    // A trial removed a user's line and changed a password while serve ran: both kept working until a restart.
    const dir = tempDir();
    const file = join(dir, 'users');
    expect((await addUser(file, 'ana', 'first password')).code).toBe(0);
    expect((await addUser(file, 'ben', 'ben password')).code).toBe(0);
    const short = await addUser(file, 'cat', 'x');
    expect([short.code, short.stderr]).toEqual([2, 'faceblur: --add-user: the password must be at least 8 characters\n']);
    s = await startServe(['--auth', file, '--data', join(dir, 'data')]);
    const basic = (user: string, pw: string) => s!.api('/api/jobs', { headers: { Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` } });
    const signIn = async (name: string, password: string) =>
      new URL((await fetch(`${s!.base}login`, { method: 'POST', body: new URLSearchParams({ name, password }), redirect: 'manual' })).headers.get('location')!, s!.base).searchParams.get('token')!;
    const [anaSession, benSession] = [await signIn('ana', 'first password'), await signIn('ben', 'ben password')];
    const withSession = (t: string) => fetch(`${s!.base}api/jobs?token=${t}`).then((r) => r.status);
    expect([await withSession(anaSession), await withSession(benSession)]).toEqual([200, 200]);
    expect((await addUser(file, 'ana', 'second password')).code).toBe(0);
    expect((await basic('ana', 'first password')).status).toBe(401);
    expect((await basic('ana', 'second password')).status).toBe(200);
    expect(await withSession(anaSession)).toBe(401);
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('ben:')).join('\n'));
    expect((await basic('ben', 'ben password')).status).toBe(401);
    expect(await withSession(benSession)).toBe(401);
    // A file that no longer parses leaves the last good users in force, and says so.
    writeFileSync(file, 'not a users file: oops\n');
    expect((await basic('ana', 'second password')).status).toBe(200);
    expect(s.run.stderr()).toMatch(/warning: --auth \S+: line 1 is not name:scrypt:N:r:p:salt:hash .*; the sign-ins it held before stay in force/);
  });

  it('deletes jobs past --retention, input and output, and refuses videos over --max-duration', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const clip = join(dir, 'group.mp4');
    groupClip(clip, 3);
    s = await startServe(['--data', data, '--retention', '8s', '--max-duration', '2s']);
    // A browser asks for the favicon by itself, without the token: answered, not refused.
    expect((await fetch(new URL('/favicon.ico', s.base))).status).toBe(204);
    expect((await fetch(new URL('/login', s.base), { method: 'HEAD' })).status, 'HEAD of the public sign-in page').toBe(200);
    const long = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: clip }]) });
    expect(long.status).toBe(413);
    expect(((await long.json()) as { errors: { error: string }[] }).errors[0]!.error).toBe('group.mp4: 3 s long, over the 2 s this server accepts (--max-duration)');
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }]) });
    const job = ((await res.json()) as { jobs: JobJson[] }).jobs[0]!;
    const folder = join(data, 'jobs', job.id);
    expect((await waitForJob(s, job.id, 60_000)).job.status).toBe('done');
    expect(readdirSync(folder).sort()).toEqual(['input.jpg', 'job.json', 'output.jpg', 'state.json']);
    const end = Date.now() + 20_000;
    while (existsSync(folder) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    expect(existsSync(folder)).toBe(false);
    expect((await s.api(`/api/jobs/${job.id}`)).status).toBe(404);
    expect(s.run.stderr()).toContain(`job ${job.id} deleted: past --retention`);
  });

  it('streams a 3 GiB upload to disk, never whole in memory, and leaves nothing when it is refused', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const big = join(dir, 'big.mp4');
    // Sparse: 3 GiB to send, no disk used to make it.
    writeFileSync(big, '');
    truncateSync(big, 3 * 2 ** 30);
    s = await startServe(['--data', data, '--max-upload-size', '4G']);
    const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${s!.run.child.pid}/status`, 'utf8'))![1]) * 1024;
    const before = peak();
    const res = await s.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: big }]) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { errors: { error: string }[] }).errors[0]!.error).toMatch(/^big\.mp4: not a readable media file/);
    // Receiving 3 GiB grew serve's peak memory by far less than the file.
    expect(peak() - before).toBeLessThan(200 * 2 ** 20);
    expect(readdirSync(join(data, 'uploads'))).toEqual([]);
    expect(readdirSync(join(data, 'jobs'))).toEqual([]);
  }, 300_000);

  it('receives at most --max-uploads uploads at once: the next one gets 429 until one ends', async () => {
    const dir = tempDir();
    s = await startServe(['--data', join(dir, 'data'), '--max-uploads', '1']);
    const boundary = 'b0undary';
    const slow = request(new URL('/api/jobs', s.base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': '100000' },
    });
    slow.on('error', () => {});
    slow.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.jpg"\r\n\r\n`);
    const photo = async () => (await s!.api('/api/jobs', { method: 'POST', body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg') }]) })).status;
    const end = Date.now() + 10_000;
    let busy = 0;
    while (Date.now() < end && (busy = await photo()) !== 429) await new Promise((r) => setTimeout(r, 100));
    expect(busy).toBe(429);
    slow.destroy();
    // The slot frees once serve has seen the connection drop.
    await expect.poll(photo, { timeout: 10_000, interval: 200 }).toBe(201);
    expect(readdirSync(join(dir, 'data', 'uploads'))).toEqual([]);
  });

  it('a job queued when serve stopped runs when it starts again', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    s = await startServe(['--data', data]);
    const res = await s.api('/api/jobs', {
      method: 'POST',
      body: await uploadForm([{ path: join(IMAGES, 'deface_city.jpg'), name: 'first.jpg' }, { path: join(IMAGES, 'human_group-1.jpg'), name: 'second.jpg' }]),
    });
    const ids = ((await res.json()) as { jobs: JobJson[] }).jobs.map((j) => j.id);
    await stopServe(s);
    s = undefined;
    const states = ids.map((id) => JSON.parse(readFileSync(join(data, 'jobs', id, 'state.json'), 'utf8')).status as string);
    expect(states.some((st) => st === 'queued' || st === 'running'), states.join()).toBe(true);
    s = await startServe(['--data', data]);
    for (const id of ids) expect((await waitForJob(s, id, 120_000)).job.status).toBe('done');
  });
});
