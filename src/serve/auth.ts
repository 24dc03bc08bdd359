import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { UserError, usageError } from '../errors.js';

/**
 * scrypt's cost: N = 2^15, r = 8, p = 1 (OWASP's password storage cheat sheet, 2023, lists
 * N=2^17 r=8 p=1 first and this as a lighter equivalent); 32 MiB of memory and ~0.1 s per check.
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 2 ** 20 } as const;
const KEY_BYTES = 32;
/** How long a browser session made by the login form lasts (seconds). */
const SESSION_SECONDS = 12 * 3600;
/**
 * Wrong passwords allowed per client address in FAILURE_WINDOW_MS; past that, sign-ins from it are
 * refused without being checked until the window ends (by the form or HTTP Basic alike).
 */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;
/** A token file's token must be at least this long: it is the whole secret. */
const MIN_TOKEN = 16;

const derive = (password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, o, (err, key) => (err ? reject(err) : resolve(key))));

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** One line of a users file: `name:scrypt:N:r:p:SALT:HASH` (salt and hash in base64url). */
async function hashUserLine(name: string, password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return `${name}:scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64url')}:${key.toString('base64url')}`;
}

/** Too many wrong passwords from one address (HTTP 429). */
export class TooManyAttempts extends Error {
  readonly statusCode = 429;
  constructor(seconds: number) {
    super(`too many wrong passwords from your address; try again in ${seconds} s`);
  }
}

interface User {
  salt: Buffer;
  key: Buffer;
  cost: ScryptOptions;
}

/**
 * Who may use serve: one access token (a token file, or a random one for loopback use), or named
 * users with scrypt-hashed passwords. Signing in with a password gives a session token that the
 * browser carries in the page address, like the access token: no cookie is ever set, so no other
 * site can make a browser send credentials (the root of CSRF).
 */
export class Credentials {
  private readonly sessions = new Map<string, number>();
  /** Client address → wrong passwords since `since` (ms). */
  private readonly failures = new Map<string, { count: number; since: number }>();

  private constructor(
    private readonly token: Buffer | undefined,
    private readonly users: Map<string, User>,
  ) {}

  /** A fresh random token: serve's default on 127.0.0.1. */
  static random(): { credentials: Credentials; token: string } {
    const token = randomBytes(18).toString('base64url');
    return { credentials: new Credentials(Buffer.from(token), new Map()), token };
  }

  /**
   * Reads an `--auth` file: either one line holding a token, or one `name:scrypt:…` line per user.
   * Lines starting with # are comments.
   * @throws UserError (exit 2) when the file is missing, empty or malformed.
   */
  static async load(path: string): Promise<Credentials> {
    const text = await readFile(path, 'utf8').catch(() => {
      throw usageError(`--auth ${path}: cannot read the file`);
    });
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (lines.length === 0) throw usageError(`--auth ${path}: the file is empty; put a token in it, or add users with --add-user`);
    if (lines.length === 1 && !lines[0]!.includes(':')) {
      if (lines[0]!.length < MIN_TOKEN) throw usageError(`--auth ${path}: the token must be at least ${MIN_TOKEN} characters`);
      return new Credentials(Buffer.from(lines[0]!), new Map());
    }
    const users = new Map<string, User>();
    for (const [i, line] of lines.entries()) {
      const f = line.split(':');
      if (f.length !== 7 || f[1] !== 'scrypt' || !f[0]) throw usageError(`--auth ${path}: line ${i + 1} is not name:scrypt:N:r:p:salt:hash (make users with --add-user)`);
      users.set(f[0], { cost: { N: Number(f[2]), r: Number(f[3]), p: Number(f[4]), maxmem: SCRYPT.maxmem }, salt: Buffer.from(f[5]!, 'base64url'), key: Buffer.from(f[6]!, 'base64url') });
    }
    return new Credentials(undefined, users);
  }

  /** True when sign-in is by name and password (else by token). */
  get hasUsers(): boolean {
    return this.users.size > 0;
  }

  /** True when `given` is the access token or a live session token. */
  allowsToken(given: string): boolean {
    const g = Buffer.from(given);
    if (this.token && sameBytes(g, this.token)) return true;
    const expires = this.sessions.get(given);
    if (expires === undefined) return false;
    if (expires > Date.now()) return true;
    this.sessions.delete(given);
    return false;
  }

  /**
   * Checks a name and password; false for unknown names too, after the same work.
   * @throws TooManyAttempts when `client` (an address) gave MAX_FAILURES wrong ones in the last minute.
   */
  async allowsPassword(name: string, password: string, client: string): Promise<boolean> {
    const now = Date.now();
    for (const [k, f] of this.failures) if (now - f.since > FAILURE_WINDOW_MS) this.failures.delete(k);
    const failed = this.failures.get(client);
    if (failed && failed.count >= MAX_FAILURES) throw new TooManyAttempts(Math.ceil((failed.since + FAILURE_WINDOW_MS - now) / 1000));
    const user = this.users.get(name);
    const key = await derive(password, user?.salt ?? Buffer.alloc(16), user?.cost ?? SCRYPT);
    const ok = user !== undefined && sameBytes(key, user.key);
    if (!ok) this.failures.set(client, { count: (failed?.count ?? 0) + 1, since: failed?.since ?? now });
    return ok;
  }

  /** A new session token for a user who signed in, valid for SESSION_SECONDS. */
  newSession(): string {
    const now = Date.now();
    for (const [t, expires] of this.sessions) if (expires <= now) this.sessions.delete(t);
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, now + SESSION_SECONDS * 1000);
    return token;
  }
}

/**
 * `--add-user NAME`: sets NAME's password in the users file (created if missing), written to a temp
 * file and renamed, readable by its owner only.
 * @throws UserError when the file holds a token rather than users, or the password is empty.
 */
export async function addUser(path: string, name: string, password: string): Promise<void> {
  if (!password) throw new UserError('--add-user: the password read from standard input is empty', 2);
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const data = lines.filter((l) => !l.trim().startsWith('#'));
  if (data.length === 1 && !data[0]!.includes(':')) throw usageError(`--auth ${path} holds a token; give --add-user a file of its own`);
  const kept = lines.filter((l) => l.split(':')[0] !== name);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, [...kept, await hashUserLine(name, password)].join('\n') + '\n', { mode: 0o600 });
  await rename(temp, path);
}
