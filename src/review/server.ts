import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage, usageError } from '../errors.js';
import { FORBIDDEN, isLoopbackHost, loopbackGuard, sendBody as send } from '../live/loopback.js';
import { FAVICON } from '../live/page.js';
import { packageRoot } from '../models/manifest.js';
import { actionSchema } from './actions.js';
import { ReviewRequestError, type ReviewApp } from './app.js';

/** The page's bundle, built by `npm run build` (scripts/build-page.js). */
const PAGE_DIR = join(packageRoot, 'dist', 'review-page');
/** Request bodies are small JSON actions. */
const MAX_BODY = 1 << 20;

const followSchema = z.object({ frame: z.number().int().nonnegative(), box: z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }) });

export interface ReviewServer {
  url: string;
  close(): Promise<void>;
}

function pageHtml(token: string, title: string): string {
  const q = `token=${encodeURIComponent(token)}`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faceblur review — ${esc(title)}</title>
<link rel="stylesheet" href="app.css?${q}">
</head><body><div id="app">loading…</div><script type="module" src="app.js?${q}"></script></body></html>
`;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ReviewRequestError('request too large', 413);
    chunks.push(c);
  }
  try {
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
  } catch {
    throw new ReviewRequestError('the request is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ReviewRequestError(`bad request: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`.trim());
  return r.data;
}

/**
 * The editor's routes for one ReviewApp, relative to where the page is served (`/` for `faceblur
 * review`, `/jobs/ID/review/` in `faceblur serve`): the page (its asset links carry `pageToken`),
 * its script and style, and the JSON API. Access checks are the caller's. Rejects with
 * ReviewRequestError (or another error) for {@link sendReviewError}.
 */
export function reviewRoutes(app: ReviewApp, pageToken: string, title: string): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const json = (res: ServerResponse, value: unknown) => send(res, 200, 'application/json', JSON.stringify(value));
  const asset = async (res: ServerResponse, name: string, type: string) => {
    try {
      send(res, 200, type, await readFile(join(PAGE_DIR, name)));
    } catch {
      send(res, 500, 'text/plain', `the editor page is missing (${name}): run npm run build\n`);
    }
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const n = Number(url.searchParams.get('n'));
    const route = `${req.method} ${url.pathname}`;
    // An edit's answer: the state, and the changes since the revision the page has (?since=), if it said.
    const since = url.searchParams.get('since');
    const answer = () => {
      const changes = since !== null && app.hasProject ? app.changes(Number(since)) : undefined;
      return json(res, { ...app.state(), ...(changes ? { changes } : {}) });
    };
    switch (route) {
      case 'GET /': {
        const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return send(res, 200, 'text/html; charset=utf-8', pageHtml(pageToken, title), { 'Content-Security-Policy': csp });
      }
      case 'GET /app.js':
        return asset(res, 'app.js', 'text/javascript; charset=utf-8');
      case 'GET /app.css':
        return asset(res, 'app.css', 'text/css; charset=utf-8');
      case 'GET /api/state':
        return json(res, app.state());
      case 'GET /api/project':
        return json(res, app.view());
      case 'GET /api/changes': {
        const changes = app.changes(Number(since));
        return changes ? json(res, changes) : send(res, 410, 'text/plain', 'that revision is gone: fetch api/project\n');
      }
      case 'GET /api/frame':
        return send(res, 200, 'image/jpeg', await app.frameJpeg(n, url.searchParams.get('result') === '1'), { 'X-Frame': String(n) });
      case 'GET /api/thumb':
        return send(res, 200, 'image/jpeg', await app.thumbnail(Number(url.searchParams.get('id'))));
      case 'POST /api/action':
        app.act(parse(actionSchema, await readBody(req)));
        return answer();
      case 'POST /api/undo':
        app.undo();
        return answer();
      case 'POST /api/redo':
        app.redo();
        return answer();
      case 'POST /api/follow': {
        const f = parse(followSchema, await readBody(req));
        app.startFollow(f.frame, f.box);
        return answer();
      }
      case 'POST /api/export':
        await app.startExport();
        return answer();
      case 'POST /api/cancel':
        app.cancel();
        return answer();
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  };
}

/** Answers a request whose route threw: the error's status (400/404/409 for ReviewRequestError, else 500) and its one line. */
export function sendReviewError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  const status = err instanceof ReviewRequestError ? err.status : 500;
  send(res, status, 'text/plain; charset=utf-8', `${errorMessage(err)}\n`);
}

/**
 * The review editor's HTTP server, under the live preview's rules (src/live/loopback.ts): 127.0.0.1
 * only, a free port unless one is given, the per-run token and a loopback Host header on every
 * request (else 403), no-store, and a Content-Security-Policy that allows only the server's own
 * script, style and images. GET serves the page, frames and state; POST applies edits and starts jobs.
 */
export async function startReviewServer(app: ReviewApp, o: { port: number; title: string }): Promise<ReviewServer> {
  const guard = loopbackGuard();
  let port = 0;
  const routes = reviewRoutes(app, guard.token, o.title);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The icon tells nothing, and browsers ask for it without the token: refused, it was an error in every page's console.
    if (url.pathname === '/favicon.ico' && req.method === 'GET' && isLoopbackHost(req, port)) return send(res, 200, 'image/svg+xml', FAVICON);
    if (!guard.allowed(req, url, port)) return send(res, 403, 'text/plain', FORBIDDEN);
    routes(req, res, url).catch((err: unknown) => sendReviewError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? usageError(`--port ${o.port}: already in use on 127.0.0.1`) : err));
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${guard.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
