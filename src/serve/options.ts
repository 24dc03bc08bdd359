import { z } from 'zod';
import { fileOptionSpecs, integer, opt, schemaOf, type OptionSpec } from '../options.js';

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const BYTES: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** `90s`, `30m`, `24h`, `7d` → seconds (a positive number with a unit). */
const durationSchema = z
  .string()
  .regex(/^\d+(\.\d+)?[smhd]$/i, 'expected a number with s, m, h or d, for example 24h')
  .transform((s) => parseFloat(s) * SECONDS[s.slice(-1).toLowerCase()]!)
  .pipe(z.number().positive());

/** `500M`, `8G`, `1T`, or bytes → bytes. */
const sizeSchema = z
  .string()
  .regex(/^\d+(\.\d+)?[kmgt]?b?$/i, 'expected a size such as 500M or 8G')
  .transform((s) => {
    const m = /^([\d.]+)([kmgt]?)/i.exec(s)!;
    return Math.floor(parseFloat(m[1]!) * (m[2] ? BYTES[m[2].toLowerCase()]! : 1));
  })
  .pipe(z.number().int().positive());

/** `faceblur serve`'s options: one table gives each flag its help text and the zod schema that checks it. */
export const serveOptionSpecs = {
  port: opt('--port <n>', 'port to listen on (0 = a free port)', integer(0, 65535).default(8080)),
  host: opt('--host <address>', 'address to listen on; any but 127.0.0.1/localhost/::1 requires --auth', z.string().min(1).default('127.0.0.1')),
  data: opt('--data <dir>', 'folder for the jobs: uploads, outputs and their state (shared with workers when --redis is used)', z.string().min(1).default('faceblur-data')),
  auth: opt(
    '--auth <file>',
    'who may use the app: a file holding one access token, or users with hashed passwords (made by --add-user)',
    z.string().optional(),
    'a random token, printed in the address (127.0.0.1 only)',
  ),
  addUser: opt('--add-user <name>', 'add (or change) a user in the --auth file, reading the password from standard input, and exit', z.string().regex(/^[\w.@-]{1,64}$/).optional()),
  retention: opt('--retention <time>', 'delete each job (input and output) this long after its upload: 90s, 30m, 24h, 7d', durationSchema.prefault('24h'), '24h'),
  concurrency: opt('--concurrency <n>', 'videos processed at once inside serve (without --redis); photos get one slot more and go first', integer(1, 64).default(1)),
  redis: opt('--redis <url>', 'queue jobs in Redis (redis://HOST:PORT) for faceblur worker processes instead of running them in serve', z.string().regex(/^rediss?:\/\/\S+$/).optional(), 'jobs run inside serve'),
  maxUploadSize: opt('--max-upload-size <size>', 'largest file accepted: 500M, 8G, …', sizeSchema.prefault('8G'), '8G'),
  maxDuration: opt('--max-duration <time>', 'longest video accepted: 90s, 30m, 2h, …', durationSchema.prefault('4h'), '4h'),
  maxUploads: opt('--max-uploads <n>', 'uploads received at once; more get HTTP 429 and the page retries', integer(1, 256).default(4)),
  quiet: { ...fileOptionSpecs.quiet, help: 'log nothing but the address and errors' },
  verbose: { ...fileOptionSpecs.verbose, help: 'stack traces for errors' },
} satisfies Record<string, OptionSpec<z.ZodType>>;

export const serveOptionsSchema = schemaOf(serveOptionSpecs);
export type ServeOptions = z.output<typeof serveOptionsSchema>;

/** True for the addresses that only this machine can reach. */
export const isLoopbackAddress = (host: string): boolean => ['127.0.0.1', 'localhost', '::1'].includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
