import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usageError } from '../errors.js';
import { FORBIDDEN, isLoopbackHost, loopbackGuard, sendBody as send } from './loopback.js';
import { FAVICON, previewPage } from './page.js';

const BOUNDARY = 'faceblurframe';

export interface PreviewServer {
  url: string;
  /** True while at least one browser watches the stream, so that JPEGs are made only when needed. */
  readonly watched: boolean;
  /** Sends a frame to every viewer that is ready for one; a slow viewer skips frames instead of queueing them. */
  publish(jpeg: Buffer): void;
  close(): Promise<void>;
}

/**
 * The live preview: an HTTP server on 127.0.0.1 only, on a free port unless one is given. Every
 * request must carry the random per-run token, and a Host header naming the loopback address, or
 * it gets 403: other local users cannot watch, and a web page cannot reach it by DNS rebinding.
 */
export async function startPreviewServer(o: { port: number; title: string; mode: 'live' | 'files'; stats: () => object }): Promise<PreviewServer> {
  const guard = loopbackGuard();
  const token = guard.token;
  const viewers = new Set<ServerResponse>();
  let latest: Buffer | undefined;
  let port = 0;
  // Set by close(): the page shows the end clearly and stops polling.
  let ended = false;
  let polledAt = -Infinity;


  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The icon is the same for everyone and tells nothing, so browsers get it without the token.
    if (url.pathname === '/favicon.ico' && req.method === 'GET' && isLoopbackHost(req, port)) return send(res, 200, 'image/svg+xml', FAVICON);
    if (!guard.allowed(req, url, port)) return send(res, 403, 'text/plain', FORBIDDEN);
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
    switch (url.pathname) {
      case '/': {
        const nonce = randomBytes(12).toString('base64');
        return send(res, 200, 'text/html; charset=utf-8', previewPage(token, nonce, o.title, o.mode), {
          'Content-Security-Policy': `default-src 'self'; img-src 'self'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`,
        });
      }
      case '/stats':
        polledAt = performance.now();
        return send(res, 200, 'application/json', JSON.stringify({ ...o.stats(), mode: o.mode, ended }));
      case '/frame.jpg':
        return latest ? send(res, 200, 'image/jpeg', latest) : send(res, 503, 'text/plain', 'no frame yet\n');
      case '/stream.mjpg':
        res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`, 'Cache-Control': 'no-store', Connection: 'close' });
        viewers.add(res);
        res.on('close', () => viewers.delete(res));
        if (latest) writePart(res, latest);
        return;
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? usageError(`--port ${o.port}: already in use on 127.0.0.1`) : err),
    );
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    get watched() {
      return viewers.size > 0;
    },
    publish(jpeg) {
      latest = jpeg;
      for (const v of viewers) if (!v.writableNeedDrain) writePart(v, jpeg);
    },
    close: async () => {
      ended = true;
      for (const v of viewers) v.end();
      // A page that polled lately gets one more poll's time to read that the stream has ended.
      if (performance.now() - polledAt < 2000) await new Promise((r) => setTimeout(r, 700));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function writePart(res: ServerResponse, jpeg: Buffer): void {
  res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
  res.write(jpeg);
  res.write('\r\n');
}
