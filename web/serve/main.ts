import { deleteJob, getInfo, getJobs, SignedOut, upload, withToken, type Job, type ServerInfo } from './api.js';
import { formatSeconds, readableSeconds } from '../../src/serve/units.js';
import { settingsForm } from './settings.js';

/** Files sent at once by this page; the server refuses more than its --max-uploads with 429 anyway. */
const PARALLEL_UPLOADS = 2;
const POLL_MS = 1000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const bytes = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const bar = (fraction: number) => el('progress', { max: 1, value: fraction });

function jobRow(job: Job, onDelete: (job: Job) => void): HTMLTableRowElement {
  // A job that hid nothing must not pass for an anonymized one (a trial's read a plain green "done").
  const untouched = job.status === 'done' && job.args.includes('--replacewith=none');
  const status = el('td', { className: `status ${untouched ? 'untouched' : job.status}` }, untouched ? 'done: nothing anonymized (replacewith none)' : job.status);
  if (job.status === 'running') status.append(' ', el('span', { className: 'progress' }, bar(job.progress), ` ${Math.round(job.progress * 100)}\u00a0%`));
  // Clamped to three lines in its column (app.css); the whole message is its title.
  if (job.message) status.append(el('div', { className: 'message', title: job.message }, job.message));
  const actions = el('div', { className: 'buttons' });
  if (job.status === 'done') {
    actions.append(
      el('a', { href: withToken(`/api/jobs/${job.id}/output`), className: 'download', download: '' }, `Download (${bytes(job.outputSize ?? 0)})`),
      el('a', { href: withToken(`/jobs/${job.id}/review/`), className: 'review', target: '_blank', rel: 'noopener' }, 'Review'),
    );
  }
  actions.append(el('button', { className: 'delete', onclick: () => onDelete(job) }, 'Delete'));
  const settingsCell = el('td', { className: 'args' }, job.args.join(' ') || 'defaults');
  const expires = el('td', { className: 'expires', title: job.expiresAt }, new Date(job.expiresAt).toLocaleString());
  // On a phone the cells stack up; these labels stand in for the column headers there (app.css).
  for (const [cell, label] of [[status, 'Status'], [settingsCell, 'Settings'], [expires, 'Deleted after']] as const) cell.dataset.label = label;
  const row = el('tr', {}, el('td', { className: 'name', title: job.name }, job.name), status, settingsCell, expires, el('td', { className: 'actions' }, actions));
  row.dataset.id = job.id;
  row.dataset.status = job.status;
  return row;
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  let info: ServerInfo;
  try {
    info = await getInfo();
  } catch (err) {
    root.textContent = `faceblur serve: ${(err as Error).message}`;
    return;
  }
  const settings = settingsForm(info.options);
  const input = el('input', { type: 'file', multiple: true, id: 'files', accept: 'video/*,image/*' });
  const drop = el(
    'label',
    { className: 'drop', htmlFor: 'files' },
    el('strong', {}, 'Drop videos and photos here'),
    ' or click to choose them',
    el('div', { className: 'limits' }, `up to ${bytes(info.limits.maxUploadBytes)} each, videos up to ${formatSeconds(info.limits.maxDurationSeconds)} long; each job is deleted ${readableSeconds(info.limits.retentionSeconds)} after its upload`),
  );
  const uploads = el('ul', { className: 'uploads' });
  const jobsBody = el('tbody');
  const table = el('table', { className: 'jobs' }, el('thead', {}, el('tr', {}, ...[['name', 'File'], ['status', 'Status'], ['args', 'Settings'], ['expires', 'Deleted after'], ['actions', '']].map(([c, h]) => el('th', { className: c! }, h!)))), jobsBody);
  // Settings first (they apply to the next drop), the drop zone, and each upload's line right under it, where the eye is after a drop.
  const unreachable = el('p', { className: 'unreachable', hidden: true }, 'The server does not answer (stopped, or the network dropped); the list below is the last one it gave. Retrying…');
  // With --redis, serve only queues: a job waits for ever, silently, when no worker runs; and a
  // running job whose last worker stopped waits too (a trial saw it read "running 17 %" for good).
  const noWorker = el(
    'p',
    { className: 'no-worker', hidden: true },
    'No faceblur worker is connected to this server’s queue, so queued and unfinished jobs wait. Start one (',
    el('code', {}, 'faceblur worker --redis URL --data DIR'),
    ', with the same Redis and data folder as serve); the jobs go on as soon as it does.',
  );
  // Ends this page's session (after a sign-in); with the access token in the address, it only leaves.
  const signOut = el('form', { className: 'sign-out', method: 'post', action: withToken('/logout') }, el('button', { type: 'submit' }, 'Sign out'));
  root.replaceChildren(el('header', { className: 'top' }, el('h1', {}, 'faceblur'), signOut), settings.element, drop, input, uploads, el('h2', {}, 'Jobs'), unreachable, noWorker, table);

  let poll: ReturnType<typeof setInterval> | undefined;
  // Every later request would fail the same way: say why once, in place of the page.
  const signedOut = () => {
    clearInterval(poll);
    root.replaceChildren(
      el('h1', {}, 'faceblur'),
      el(
        'p',
        { className: 'signed-out' },
        'This page’s access token is no longer accepted: serve was restarted (it makes a new token at each start unless --auth gives one), or your session ended. Open the address serve printed, or ',
        el('a', { href: '/login' }, 'sign in'),
        '.',
      ),
    );
  };
  // Refreshes overlap (the poll, and one after each upload and delete) and their answers can arrive
  // out of order: a list older than the one shown must not replace it, or a new job blinks out.
  let asked = 0;
  let shown = 0;
  const refresh = async () => {
    const mine = ++asked;
    try {
      const { jobs, workers } = await getJobs();
      if (mine < shown) return;
      shown = mine;
      unreachable.hidden = true;
      noWorker.hidden = !(workers === 0 && jobs.some((j) => j.status === 'queued' || j.status === 'running'));
      jobsBody.replaceChildren(...jobs.map((j) => jobRow(j, remove)));
      if (!jobs.length) jobsBody.append(el('tr', {}, el('td', { colSpan: 5, className: 'empty' }, 'No jobs yet.')));
    } catch (err) {
      if (err instanceof SignedOut) return signedOut();
      // fetch rejects with a TypeError ("Failed to fetch") when nothing answers: serve stopped or the
      // network dropped. The last list stays; the poll goes on and clears the notice when serve is back.
      if (err instanceof TypeError) {
        unreachable.hidden = false;
        return;
      }
      jobsBody.replaceChildren(el('tr', {}, el('td', { colSpan: 5, className: 'error' }, (err as Error).message)));
    }
  };
  const remove = (job: Job) => {
    if (!confirm(`Delete ${job.name}, its output and its review? This cannot be undone.`)) return;
    deleteJob(job.id).then(refresh, (err: Error) => (err instanceof SignedOut ? signedOut() : alert(err.message)));
  };

  const queue: File[] = [];
  let active = 0;
  const send = async (file: File, values: Record<string, unknown>) => {
    const line = el('li', { className: 'upload' }, el('span', { className: 'name' }, file.name), ' ');
    const progress = bar(0);
    const note = el('span', { className: 'note' }, 'uploading');
    line.append(progress, ' ', note);
    uploads.prepend(line);
    if (file.size > info.limits.maxUploadBytes) {
      line.replaceChildren(el('span', { className: 'name' }, file.name), ' ', el('span', { className: 'error' }, `larger than the ${bytes(info.limits.maxUploadBytes)} this server accepts (--max-upload-size)`));
      return;
    }
    for (;;) {
      const { status, body } = await upload(file, values, (f) => (progress.value = f));
      if (status === 401) return signedOut();
      if (status === 429) {
        note.textContent = 'server busy, waiting';
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      // The server's line names the file; the list shows the name already.
      const error = (body.errors?.[0]?.error ?? body.error)?.replace(`${file.name}: `, '');
      if (status === 201) line.replaceChildren(el('span', { className: 'name' }, file.name), ' ', el('span', { className: 'ok' }, 'uploaded'));
      else line.replaceChildren(el('span', { className: 'name' }, file.name), ' ', el('span', { className: 'error' }, error ?? `HTTP ${status}`));
      line.dataset.done = status === 201 ? 'ok' : 'error';
      void refresh();
      return;
    }
  };
  const pump = () => {
    while (active < PARALLEL_UPLOADS && queue.length) {
      active++;
      void send(queue.shift()!, settings.values()).finally(() => {
        active--;
        pump();
      });
    }
  };
  const add = (files: FileList | null) => {
    queue.push(...Array.from(files ?? []));
    pump();
  };
  input.addEventListener('change', () => {
    add(input.files);
    input.value = '';
  });
  for (const t of ['dragenter', 'dragover']) drop.addEventListener(t, (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    add((e as DragEvent).dataTransfer?.files ?? null);
  });
  await refresh();
  poll = setInterval(() => void refresh(), POLL_MS);
}

void start();
