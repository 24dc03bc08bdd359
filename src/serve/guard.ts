import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Credentials } from './auth.js';

/** Routes anyone may reach: the sign-in form, its style and its POST. */
// The favicon is public so that a browser's automatic request for it is not logged as an error on every page.
const PUBLIC = new Set(['GET /login', 'HEAD /login', 'POST /login', 'GET /login.css', 'HEAD /login.css', 'GET /favicon.ico', 'HEAD /favicon.ico']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  credentials: Credentials;
  /** Set when serve listens on loopback only: the Host header must then name it (DNS rebinding). */
  loopbackPort: (() => number) | undefined;
}

/** True when the Host header names a loopback address on `port`, which DNS rebinding cannot forge. */
const isLoopbackHost = (host: string | undefined, port: number): boolean => new RegExp(`^(127\\.\\d+\\.\\d+\\.\\d+|localhost|\\[::1\\]):${port}$`).test(host ?? '');

/** The credential a request carries: `?token=`, `Authorization: Bearer`, or `Authorization: Basic` (users only). */
async function authorized(req: FastifyRequest, credentials: Credentials): Promise<boolean> {
  const query = new URL(req.url, 'http://x').searchParams.get('token');
  if (query && credentials.allowsToken(query)) return true;
  const [scheme, value = ''] = (req.headers.authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return credentials.allowsToken(value);
  if (scheme?.toLowerCase() === 'basic' && credentials.hasUsers) {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return colon > 0 && (await credentials.allowsPassword(text.slice(0, colon), text.slice(colon + 1), req.ip));
  }
  return false;
}

/**
 * Why a state-changing request must be refused as cross-site, or undefined. Credentials never
 * travel by themselves (no cookie is set, Basic is never challenged), which is what stops CSRF;
 * on top, a browser's `Origin` and `Sec-Fetch-Site` headers must say the request came from
 * serve's own pages (OWASP CSRF cheat sheet: "verifying origin with standard headers").
 */
function crossSite(req: FastifyRequest): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  // Our own `Referrer-Policy: no-referrer` makes the browser send `Origin: null` on a form's POST
  // (Fetch standard, "append a request Origin header"): then Sec-Fetch-Site, which no page can set, vouches.
  if (origin === 'null' && site === 'same-origin') return undefined;
  if (origin === 'null' || new URL(origin).host !== (req.headers.host ?? '')) return `cross-site request refused (Origin: ${origin})`;
  return undefined;
}

/**
 * The onRequest hook every request passes: the headers every answer carries (no-store, no
 * referrer, no sniffing, no framing), the loopback Host check, the cross-site check, and the
 * credentials. The jobs page without credentials sends to the sign-in form; anything else answers 401.
 */
export function guard(o: GuardOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.headers({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' });
    const path = req.url.split('?')[0]!;
    if (o.loopbackPort && !isLoopbackHost(req.headers.host, o.loopbackPort())) return reply.code(403).send({ error: 'forbidden: use the address faceblur serve printed' });
    let why: string | undefined;
    try {
      why = crossSite(req);
    } catch {
      why = 'cross-site request refused (malformed Origin)';
    }
    if (why) return reply.code(403).send({ error: why });
    if (PUBLIC.has(`${req.method} ${path}`)) return;
    if (await authorized(req, o.credentials)) return;
    if (req.method === 'GET' && path === '/') return reply.redirect('/login', 303);
    return reply.code(401).header('WWW-Authenticate', 'Bearer realm="faceblur"').send({ error: 'unauthorized: give the access token (?token= or Authorization: Bearer) or sign in' });
  };
}
