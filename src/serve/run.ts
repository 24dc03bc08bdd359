import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { STOP_SIGNALS, UserError, usageError } from '../errors.js';
import { createRunner, withoutPassword } from '../jobs/runners.js';
import { findFfmpeg } from '../media/ffmpeg.js';
import { describeIssue } from '../option-messages.js';
import { createLog } from '../ui/log.js';
import { addUser, Credentials } from './auth.js';
import { isLoopbackAddress, serveOptionSpecs, serveOptionsSchema, type ServeOptions } from './options.js';
import { removeOrphanedScratch } from '../review/scratch.js';
import { ReviewHost } from './review-host.js';
import { buildServer } from './server.js';
import { JobStore } from './store.js';
import { readableSeconds } from './units.js';

/** Retention is checked this often at most (seconds), and at least four times per retention period. */
const SWEEP_SECONDS = 60;

/** The address to print: a wildcard bind is shown as this machine's name, which others can type. */
function shownHost(host: string): string {
  const h = host === '0.0.0.0' || host === '::' ? hostname() : host;
  return h.includes(':') ? `[${h}]` : h;
}

/**
 * `faceblur serve`: the web app for teams. Checks its options (a non-loopback --host needs --auth:
 * one line, exit 2), opens the data folder and the job runner, listens, prints `Serving: URL` on
 * stderr, deletes jobs past --retention, and on Ctrl+C or SIGTERM stops taking requests, stops the
 * jobs it runs (they are queued again at the next start) and exits 0.
 */
export async function runServe(raw: Record<string, unknown>, version: string): Promise<number> {
  const parsed = serveOptionsSchema.safeParse(raw);
  if (!parsed.success) throw usageError(describeIssue(parsed.error, serveOptionSpecs, raw));
  const o = parsed.data;
  if (o.addUser) return addUserFromStdin(o);
  if (!isLoopbackAddress(o.host) && !o.auth) {
    throw usageError(`--host ${o.host} lets other machines in: give --auth FILE (a token file, or users made with --add-user)`);
  }
  const log = createLog({ quiet: o.quiet, verbose: o.verbose });
  const given = o.auth ? { credentials: await Credentials.load(o.auth, (l) => log.warn(l)), token: undefined } : Credentials.random();
  const tools = findFfmpeg();
  const dataDir = resolve(o.data);
  await mkdir(dataDir, { recursive: true }).catch(() => {
    throw new UserError(`--data ${o.data}: cannot create the folder`, 2);
  });
  const runner = await createRunner({ dataDir, concurrency: o.concurrency, ...(o.redis ? { redis: o.redis } : {}), onFailure: (l) => log.error(l) });
  const store = new JobStore(dataDir, runner, o.retention);
  await store.open();
  // Reviews hold copies of original frames in temp folders; a serve killed outright left them there.
  removeOrphanedScratch();
  const reviews = new ReviewHost(dataDir, tools);
  let port = 0;
  const app = await buildServer({
    store,
    credentials: given.credentials,
    reviews,
    tools,
    limits: { maxBytes: o.maxUploadSize, maxDuration: o.maxDuration, retention: o.retention, maxUploads: o.maxUploads },
    // With --auth, a reverse proxy on this machine may pass its own Host header through.
    loopbackPort: isLoopbackAddress(o.host) && !o.auth ? () => port : undefined,
    version,
    log: (l) => log.info(l),
  });
  try {
    await app.listen({ port: o.port, host: o.host });
  } catch (err) {
    await runner.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw usageError(`--port ${o.port}: already in use on ${o.host}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw usageError(`--host ${o.host}: not an address of this machine`);
    throw err;
  }
  port = (app.server.address() as AddressInfo).port;
  const base = `http://${shownHost(o.host)}:${port}/`;
  // The address goes to stderr with the logs (stdout stays for results), even with --quiet: it is the only way in.
  // Listening before the address is printed: a Ctrl+C right after it must find the handler in place.
  const stopped = new Promise<NodeJS.Signals>((done) => {
    for (const s of STOP_SIGNALS) process.once(s, () => done(s));
  });
  process.stderr.write(given.token ? `Serving: ${base}?token=${given.token}\n` : `Serving: ${base} (sign in with ${given.credentials.hasUsers ? 'a user' : 'the token'} of ${o.auth})\n`);
  log.info(`jobs in ${dataDir}, kept ${readableSeconds(o.retention)} after upload; ${o.redis ? `queued in ${withoutPassword(o.redis)}` : `${o.concurrency} at a time inside serve`}`);

  const sweep = async () => {
    for (const id of await store.expired().catch(() => [])) {
      await reviews.close(id);
      await store.delete(id).catch(() => {});
      log.info(`job ${id} deleted: past --retention`);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), Math.min(SWEEP_SECONDS, o.retention / 4) * 1000);
  const signal = await stopped;
  log.info(`faceblur serve: ${signal}, stopping`);
  clearInterval(timer);
  app.server.closeAllConnections();
  await app.close();
  await reviews.closeAll();
  await runner.close();
  return 0;
}

/** `--add-user NAME --auth FILE`: the password is the first line of standard input. */
async function addUserFromStdin(o: ServeOptions): Promise<number> {
  if (!o.auth) throw usageError('--add-user needs --auth FILE: the users file to write');
  if (process.stdin.isTTY) process.stderr.write(`password for ${o.addUser} (shown as typed; pipe it in to hide it): `);
  const lines = createInterface({ input: process.stdin });
  const password = await new Promise<string>((done) => {
    lines.once('line', done);
    lines.once('close', () => done(''));
  });
  lines.close();
  await addUser(o.auth, o.addUser!, password);
  process.stderr.write(`user ${o.addUser} saved in ${o.auth}\n`);
  return 0;
}
