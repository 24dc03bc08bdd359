import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
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
 * Wrong passwords allowed per client address and name in FAILURE_WINDOW_MS; past that, sign-ins
 * with that name from it are refused without being checked until the window ends (by the form or
 * HTTP Basic alike).
 */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;
/** A token file's token must be at least this long: it is the whole secret. */
const MIN_TOKEN = 16;
/** The shortest password --add-user takes (NIST SP 800-63B, 5.1.1.2: at least 8 characters). */
const MIN_PASSWORD = 8;

const derive = (password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, o, (err, key) => (err ? reject(err) : resolve(key))));

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** One line of a users file: `name:scrypt:N:r:p:SALT:HASH` (salt and hash in base64url). */
async function hashUserLine(name: string, password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return `${name}:scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64url')}:${key.toString('base64url')}`;
}

/** Too many wrong passwords for one name from one address (HTTP 429). */
export class TooManyAttempts extends Error {
  readonly statusCode = 429;
  constructor(readonly seconds: number) {
    super(`too many wrong passwords for this name from your address; try again in ${seconds} s`);
  }
}

interface User {
  salt: Buffer;
  key: Buffer;
  cost: ScryptOptions;
}

/** What an `--auth` file holds: one access token, or named users. */
interface Secret {
  token: Buffer | undefined;
  users: Map<string, User>;
}

/** A browser session: when it ends (ms), and who signed in (undefined: by the access token). */
interface Session {
  expires: number;
  user: string | undefined;
}

/**
 * Parses an `--auth` file's text: either one line holding a token, or one `name:scrypt:…` line per
 * user. Lines starting with # are comments.
 * @throws UserError (exit 2) when it is empty or malformed.
 */
function parseAuth(text: string, path: string): Secret {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) throw usageError(`--auth ${path}: the file is empty; put a token in it, or add users with --add-user`);
  if (lines.length === 1 && !lines[0]!.includes(':')) {
    if (lines[0]!.length < MIN_TOKEN) throw usageError(`--auth ${path}: the token must be at least ${MIN_TOKEN} characters`);
    return { token: Buffer.from(lines[0]!), users: new Map() };
  }
  const users = new Map<string, User>();
  for (const [i, line] of lines.entries()) {
    const f = line.split(':');
    if (f.length !== 7 || f[1] !== 'scrypt' || !f[0]) throw usageError(`--auth ${path}: line ${i + 1} is not name:scrypt:N:r:p:salt:hash (make users with --add-user)`);
    users.set(f[0], { cost: { N: Number(f[2]), r: Number(f[3]), p: Number(f[4]), maxmem: SCRYPT.maxmem }, salt: Buffer.from(f[5]!, 'base64url'), key: Buffer.from(f[6]!, 'base64url') });
  }
  return { token: undefined, users };
}

/**
 * What tells one version of a file from the next: inode, size and modification time; `unreadable`
 * when its folder cannot be read (refresh then keeps the last good version, as for a bad file).
 */
const stampOf = (path: string): string | undefined => {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st && `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'unreadable';
  }
};

/**
 * Who may use serve: one access token (a token file, or a random one for loopback use), or named
 * users with scrypt-hashed passwords. Signing in (a password, or the token in the form) gives a
 * session token that the browser carries in the page address: no cookie is ever set, so no other
 * site can make a browser send credentials (the root of CSRF). The `--auth` file is read again
 * when it changes, so that `--add-user` and a removed line take effect at once: the sessions of a
 * removed user, or of one whose password changed, end then (a trial's removed user kept access).
 */
export class Credentials {
  private readonly sessions = new Map<string, Session>();
  /** Client address and name → wrong passwords since `since` (ms). */
  private readonly failures = new Map<string, { count: number; since: number }>();

  private constructor(
    private secret: Secret,
    private readonly file: { path: string; stamp: string | undefined; onProblem: (line: string) => void } | undefined,
  ) {}

  /** A fresh random token: serve's default on 127.0.0.1. */
  static random(): { credentials: Credentials; token: string } {
    const token = randomBytes(18).toString('base64url');
    return { credentials: new Credentials({ token: Buffer.from(token), users: new Map() }, undefined), token };
  }

  /**
   * Reads an `--auth` file (see parseAuth). A later version that cannot be read or parsed leaves the
   * last good one in force, and `onProblem` says why, once per version.
   * @throws UserError (exit 2) when the file is missing, empty or malformed.
   */
  static async load(path: string, onProblem: (line: string) => void = () => undefined): Promise<Credentials> {
    const stamp = stampOf(path);
    const text = await readFile(path, 'utf8').catch(() => {
      throw usageError(`--auth ${path}: cannot read the file`);
    });
    return new Credentials(parseAuth(text, path), { path, stamp, onProblem });
  }

  /** Takes in a changed `--auth` file, and ends the sessions it no longer allows. */
  private refresh(): void {
    const f = this.file;
    if (!f) return;
    const stamp = stampOf(f.path);
    if (stamp === f.stamp) return;
    f.stamp = stamp;
    let next: Secret;
    try {
      next = parseAuth(readFileSync(f.path, 'utf8'), f.path);
    } catch (err) {
      f.onProblem(`${err instanceof UserError ? err.message : `--auth ${f.path}: cannot read the file`}; the sign-ins it held before stay in force`);
      return;
    }
    const before = this.secret;
    this.secret = next;
    for (const [token, s] of this.sessions) {
      const was = s.user === undefined ? before.token : before.users.get(s.user)?.key;
      const now = s.user === undefined ? next.token : next.users.get(s.user)?.key;
      if (!was || !now || !sameBytes(was, now)) this.sessions.delete(token);
    }
  }

  /** True when sign-in is by name and password (else by token). */
  get hasUsers(): boolean {
    this.refresh();
    return this.secret.users.size > 0;
  }

  /** True when `given` is the access token or a live session token. */
  allowsToken(given: string): boolean {
    this.refresh();
    const token = this.secret.token;
    if (token && sameBytes(Buffer.from(given), token)) return true;
    const session = this.sessions.get(given);
    if (session === undefined) return false;
    if (session.expires > Date.now()) return true;
    this.sessions.delete(given);
    return false;
  }

  /**
   * Checks a name and password; false for unknown names too, after the same work.
   * @throws TooManyAttempts when `client` (an address) gave MAX_FAILURES wrong ones for this name in
   * the last minute. Counted per name: behind a reverse proxy every user comes from one address, and
   * one person's typos must not sign out the team.
   */
  async allowsPassword(name: string, password: string, client: string): Promise<boolean> {
    this.refresh();
    const now = Date.now();
    for (const [k, f] of this.failures) if (now - f.since > FAILURE_WINDOW_MS) this.failures.delete(k);
    const key = `${client}\n${name}`;
    const failed = this.failures.get(key);
    if (failed && failed.count >= MAX_FAILURES) throw new TooManyAttempts(Math.ceil((failed.since + FAILURE_WINDOW_MS - now) / 1000));
    const user = this.secret.users.get(name);
    const derived = await derive(password, user?.salt ?? Buffer.alloc(16), user?.cost ?? SCRYPT);
    const ok = user !== undefined && sameBytes(derived, user.key);
    if (!ok) this.failures.set(key, { count: (failed?.count ?? 0) + 1, since: failed?.since ?? now });
    return ok;
  }

  /** A new session token for `user` (undefined: signed in with the access token), valid for SESSION_SECONDS. */
  newSession(user: string | undefined): string {
    const now = Date.now();
    for (const [t, s] of this.sessions) if (s.expires <= now) this.sessions.delete(t);
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, { expires: now + SESSION_SECONDS * 1000, user });
    return token;
  }

  /** Ends a session (sign out); false when `token` is none (the access token itself cannot be ended). */
  endSession(token: string): boolean {
    return this.sessions.delete(token);
  }
}

/**
 * `--add-user NAME`: sets NAME's password in the users file (created if missing), written to a temp
 * file and renamed, readable by its owner only.
 * @throws UserError when the file holds a token rather than users, or the password is under 8 characters.
 */
export async function addUser(path: string, name: string, password: string): Promise<void> {
  if (!password) throw new UserError('--add-user: the password read from standard input is empty', 2);
  if ([...password].length < MIN_PASSWORD) throw new UserError(`--add-user: the password must be at least ${MIN_PASSWORD} characters`, 2);
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const data = lines.filter((l) => !l.trim().startsWith('#'));
  if (data.length === 1 && !data[0]!.includes(':')) throw usageError(`--auth ${path} holds a token; give --add-user a file of its own`);
  const kept = lines.filter((l) => l.split(':')[0] !== name);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, [...kept, await hashUserLine(name, password)].join('\n') + '\n', { mode: 0o600 });
  await rename(temp, path);
}
