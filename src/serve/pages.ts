import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../models/manifest.js';
import { TooManyAttempts, type Credentials } from './auth.js';

/** The jobs page's bundle, built by `npm run build` (scripts/build-page.js from web/serve). */
const PAGE_DIR = join(packageRoot, 'dist', 'serve-page');

/** Only serve's own script, style and requests; no inline code, no framing, forms post only to serve. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('Content-Security-Policy', CSP).send(body);

function jobsPage(token: string): string {
  const q = `token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faceblur</title><link rel="stylesheet" href="/app.css?${esc(q)}">
</head><body><div id="app">loading…</div><script type="module" src="/app.js?${esc(q)}"></script></body></html>
`;
}

/** What the sign-in form says above its fields: `?failed`, `?wait=SECONDS` (too many wrong passwords), `?out` (signed out). */
function loginNote(q: Record<string, string | undefined>): string {
  if ('failed' in q) return '<p class="error">Wrong credentials; try again.</p>';
  const wait = Number(q.wait);
  if (Number.isInteger(wait) && wait > 0) return `<p class="error">Too many wrong passwords for this name; try again in ${wait} s.</p>`;
  if ('out' in q) return '<p>Signed out.</p>';
  return '';
}

function loginPage(users: boolean, note: string): string {
  const fields = users
    ? `<label>Name <input name="name" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>`
    : `<label>Access token <input name="token" type="password" autocomplete="off" required autofocus></label>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faceblur — sign in</title><link rel="stylesheet" href="/login.css">
</head><body><form class="login" method="post" action="/login">
<h1>faceblur</h1>
${note}
${fields}
<button type="submit">Sign in</button>
</form></body></html>
`;
}

/**
 * The browser pages: the jobs page (its script and style carry the page's token, which the script
 * passes on to every API request), the sign-in form, which turns a token or a name and password
 * into a session in the page's address (`/?token=…`): the credential lives in the address, never in
 * a cookie; and sign-out (`POST /logout?token=…`), which ends that session.
 */
export function registerPages(app: FastifyInstance, credentials: Credentials): void {
  const asset = async (reply: FastifyReply, name: string, type: string) => {
    const body = await readFile(join(PAGE_DIR, name)).catch(() => undefined);
    if (!body) return reply.code(500).type('text/plain').send(`the jobs page is missing (${name}): run npm run build\n`);
    return reply.type(type).send(body);
  };
  app.get('/', async (req, reply) => html(reply, jobsPage((req.query as { token?: string }).token ?? '')));
  app.get('/app.js', (_req, reply) => asset(reply, 'app.js', 'text/javascript; charset=utf-8'));
  app.get('/app.css', (_req, reply) => asset(reply, 'app.css', 'text/css; charset=utf-8'));
  app.get('/login.css', (_req, reply) => asset(reply, 'app.css', 'text/css; charset=utf-8'));
  app.get('/favicon.ico', (_req, reply) => reply.code(204).send());
  app.get('/login', async (req, reply) => html(reply, loginPage(credentials.hasUsers, loginNote(req.query as Record<string, string | undefined>))));

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.post('/login', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    let token: string | undefined;
    try {
      if (credentials.hasUsers) {
        if (form.name && form.password && (await credentials.allowsPassword(form.name, form.password, req.ip))) token = credentials.newSession(form.name);
      } else if (form.token && credentials.allowsToken(form.token)) {
        // A session, not the token itself: a trial found the team's lasting token in the address bar and the history.
        token = credentials.newSession(undefined);
      }
    } catch (err) {
      // The form shows the wait; a trial's browser got the 429's raw JSON.
      if (err instanceof TooManyAttempts) return reply.redirect(`/login?wait=${err.seconds}`, 303);
      throw err;
    }
    return reply.redirect(token ? `/?token=${encodeURIComponent(token)}` : '/login?failed', 303);
  });
  // Past the guard, so only with a valid token; a session ends, the access token itself stays valid.
  app.post('/logout', async (req, reply) => {
    credentials.endSession((req.query as { token?: string }).token ?? '');
    return reply.redirect('/login?out', 303);
  });
}
