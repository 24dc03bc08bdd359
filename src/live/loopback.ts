import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The rules every faceblur page server follows (live preview, review editor): a random per-run token
 * on every request, and a Host header naming the loopback address on the server's port, so that other
 * local users cannot use it and a web page cannot reach it by DNS rebinding.
 */
export interface LoopbackGuard {
  token: string;
  /** True when the request carries the token (`?token=`) and a loopback Host header for `port`. */
  allowed(req: IncomingMessage, url: URL, port: number): boolean;
}

/** True when the request's Host header names the loopback address on `port` (what DNS rebinding cannot forge). */
export function isLoopbackHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function loopbackGuard(): LoopbackGuard {
  const token = randomBytes(18).toString('base64url');
  const expected = Buffer.from(token);
  return {
    token,
    allowed(req, url, port) {
      const given = Buffer.from(url.searchParams.get('token') ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected) && isLoopbackHost(req, port);
    },
  };
}

/** Sends a whole response with the headers every answer carries: never cached, no referrer, no sniffing. */
export function sendBody(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(body);
}

export const FORBIDDEN = 'forbidden: open the address faceblur printed, with its token\n';
