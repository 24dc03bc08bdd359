import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { UNTOUCHED_SUFFIX } from '../io/outputs.js';
import type { JobRecord } from '../jobs/job.js';
import { encoderProblem, type FfmpegTools } from '../media/ffmpeg.js';
import { jobOptionsHelp, jobSettingsSchema, settingsToArgs, SettingsError } from './job-settings.js';
import type { JobStore, JobView } from './store.js';
import { HttpError, receiveFile, type UploadLimits } from './upload.js';

const jobViewSchema = z
  .object({
    id: z.string(),
    name: z.string().meta({ description: 'the uploaded file name (display only)' }),
    kind: z.enum(['video', 'photo']),
    createdAt: z.string().meta({ description: 'ISO 8601, when the upload completed' }),
    expiresAt: z.string().meta({ description: 'ISO 8601, when retention deletes the job' }),
    status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
    progress: z.number().min(0).max(1),
    message: z.string().optional().meta({ description: 'why the job failed, or what it is doing' }),
    args: z.array(z.string()).meta({ description: 'the CLI options the job runs with' }),
    outputSize: z.number().optional().meta({ description: 'bytes of the output, once done' }),
  })
  .meta({ id: 'Job' }) satisfies z.ZodType<JobView>;

const errorSchema = z.object({ error: z.string() }).meta({ id: 'Error' });
// Any id is looked up: the store answers undefined for one of the wrong form before it makes a path
// (JobStore.get), so a mistyped id gets the same 404 as an expired one, not a schema error.
const idParams = z.object({ id: z.string().max(200) });
const uploadResultSchema = z.object({
  jobs: z.array(jobViewSchema),
  errors: z.array(z.object({ name: z.string(), status: z.number(), error: z.string() })).meta({ description: 'the files that were refused; the others became jobs' }),
});
const uploadBodySchema = z.object({
  settings: z.string().optional().meta({ description: 'JSON object of CLI options for every file of this request (see GET /api/options); must come before the files' }),
  file: z.array(z.string().meta({ format: 'binary' })).meta({ description: 'one or more videos or photos' }),
});
/** A request refused whole (bad settings, no file) says why; one whose every file was refused lists them. */
const refused = z.union([errorSchema, uploadResultSchema]);
const limitsSchema = z.object({ maxUploadBytes: z.number(), maxDurationSeconds: z.number(), retentionSeconds: z.number() });
const optionsSchema = z.object({
  limits: limitsSchema,
  options: z.array(z.object({ name: z.string(), flag: z.string(), help: z.string(), default: z.string().optional(), expects: z.string(), choices: z.array(z.string()).optional(), switchDefault: z.boolean().optional() })),
});

const MIME: Record<string, string> = {
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.mkv': 'video/x-matroska', '.webm': 'video/webm', '.avi': 'video/x-msvideo',
  '.gif': 'image/gif', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.avif': 'image/avif',
};

/** The longest file name most file systems take (ext4, APFS, NTFS in UTF-16 units), in UTF-8 bytes. */
const MAX_NAME_BYTES = 255;

/**
 * `Content-Disposition` for a download named after the upload, as the CLI names its outputs:
 * `talk.mp4` → `talk_anonymized.mp4`, or `talk_not_anonymized.mp4` for a job that hides nothing
 * (`--replacewith none`), which must never pass for an anonymized file.
 */
function attachment(job: JobRecord): string {
  const ext = extname(job.outputFile);
  const suffix = job.args.includes('--replacewith=none') ? UNTOUCHED_SUFFIX : '_anonymized';
  // At most 255 bytes, what file systems take: a trial's 250-character name could not be saved.
  let stem = [...job.inputName.slice(0, job.inputName.length - extname(job.inputName).length)];
  while (stem.length > 1 && Buffer.byteLength(`${stem.join('')}${suffix}${ext}`) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
  const name = `${stem.join('')}${suffix}${ext}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export interface ApiContext {
  store: JobStore;
  tools: FfmpegTools;
  limits: UploadLimits & { retention: number; maxUploads: number };
  /** Called before a job is deleted, to close anything open on it (its review editor). */
  onDelete(id: string): Promise<void>;
  /** Where each refused upload is noted, with its reason (a trial's serve said nothing of five). */
  log?: (line: string) => void;
}

/** The JSON API under /api: create jobs by upload, list, status, download, delete; described at /api/openapi.json. */
export function registerApi(fastify: FastifyInstance, c: ApiContext): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  let uploading = 0;
  const security: Record<string, string[]>[] = [{ token: [] }, { tokenQuery: [] }, { basic: [] }];
  const notFound = (id: string) => new HttpError(404, `no job ${id} (it may have been deleted or expired)`);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());

  app.get('/api/options', { schema: { summary: 'The options a job may set, and the server\'s limits', security, response: { 200: optionsSchema } } }, async () => ({
    limits: { maxUploadBytes: c.limits.maxBytes, maxDurationSeconds: c.limits.maxDuration, retentionSeconds: c.limits.retention },
    options: jobOptionsHelp(),
  }));

  const listSchema = z.object({
    jobs: z.array(jobViewSchema),
    workers: z.number().int().optional().meta({ description: 'with --redis: the `faceblur worker` processes connected to the queue (0: queued jobs wait for one)' }),
  });
  app.get('/api/jobs', { schema: { summary: 'List the jobs, newest first', security, response: { 200: listSchema } } }, async () => {
    const [jobs, workers] = await Promise.all([c.store.list(), c.store.workers()]);
    return { jobs, ...(workers === undefined ? {} : { workers }) };
  });

  app.post(
    '/api/jobs',
    {
      schema: {
        summary: 'Create jobs by uploading files (multipart/form-data)',
        description: 'Each file becomes one job. A file that is refused (not media, too large, too long) does not stop the others. 429 when --max-uploads uploads are already being received.',
        consumes: ['multipart/form-data'],
        body: uploadBodySchema,
        security,
        response: { 201: uploadResultSchema, 400: refused, 413: refused, 415: refused, 429: errorSchema, 503: refused },
      },
      // The multipart body is read as a stream by the handler, not parsed and validated up front.
      validatorCompiler: (route) => (route.httpPart === 'body' ? (value: unknown) => ({ value }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0])),
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new HttpError(415, 'upload the files as multipart/form-data');
      if (uploading >= c.limits.maxUploads) return reply.code(429).header('Retry-After', '2').send({ error: `busy: ${uploading} uploads are being received; try again` });
      uploading++;
      try {
        const result = await receiveAll(req);
        const status = (result.jobs.length ? 201 : (result.errors[0]?.status ?? 400)) as 201 | 400 | 413 | 415 | 503;
        return reply.code(status).send(result);
      } catch (err) {
        // Failed mid-body: what is left of it must not be read as the next request on this connection.
        if (!req.raw.complete) void reply.header('Connection', 'close');
        throw err;
      } finally {
        uploading--;
      }
    },
  );

  const receiveAll = async (req: FastifyRequest): Promise<z.infer<typeof uploadResultSchema>> => {
    const result: z.infer<typeof uploadResultSchema> = { jobs: [], errors: [] };
    let args: string[] = [];
    let files = 0;
    // A request refused whole is still read to its end, so that the client can read the answer.
    let refusal: HttpError | undefined;
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (part.fieldname !== 'settings' || refusal) continue;
        if (files) refusal = new HttpError(400, 'the settings field must come before the files (no job was made)');
        else refusal = tryParse(() => (args = parseSettings(String(part.value), c.tools)));
        continue;
      }
      files++;
      if (refusal) {
        part.file.resume();
        continue;
      }
      try {
        result.jobs.push(await receiveFile(part, c.store, c.limits, c.tools, args));
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        result.errors.push({ name: part.filename, status: err.status, error: err.message });
        c.log?.(`upload refused: ${err.message}`);
      }
    }
    if (refusal) {
      // Jobs made from the files before a late settings field would run with settings the sender did
      // not mean, and a retry of the refused request would make them twice.
      for (const job of result.jobs) await c.store.delete(job.id).catch(() => undefined);
      throw refusal;
    }
    if (!files) throw new HttpError(400, 'no file in the upload');
    return result;
  };

  app.get('/api/jobs/:id', { schema: { summary: 'One job\'s status and progress', security, params: idParams, response: { 200: jobViewSchema, 404: errorSchema } } }, async (req) => {
    const job = await c.store.get(req.params.id);
    if (!job) throw notFound(req.params.id);
    return job;
  });

  app.get(
    '/api/jobs/:id/output',
    { schema: { summary: 'Download the anonymized file of a finished job', security, params: idParams, response: { 200: z.any().meta({ description: 'the file' }), 404: errorSchema, 409: errorSchema } } },
    async (req, reply) => {
      const view = await c.store.get(req.params.id);
      if (!view) throw notFound(req.params.id);
      if (view.status !== 'done') throw new HttpError(409, `job ${view.id} is ${view.status}, not done`);
      const job = await c.store.record(view.id);
      return reply
        .type(MIME[extname(job.outputFile)] ?? 'application/octet-stream')
        .header('Content-Disposition', attachment(job))
        .header('Content-Length', String(view.outputSize))
        .send(createReadStream(c.store.outputPath(job)));
    },
  );

  app.delete('/api/jobs/:id', { schema: { summary: 'Delete a job: stop it, and delete its input and output at once', security, params: idParams, response: { 204: z.null(), 404: errorSchema, 503: errorSchema } } }, async (req, reply) => {
    if (!(await c.store.get(req.params.id))) throw notFound(req.params.id);
    await c.onDelete(req.params.id);
    try {
      await c.store.delete(req.params.id);
    } catch (err) {
      throw new HttpError(503, `job ${req.params.id} could not be stopped, so it is kept: ${errorMessage(err)}`);
    }
    return reply.code(204).send(null);
  });
}

function tryParse(f: () => void): HttpError | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
}

/** @throws HttpError 400 when the settings are not JSON, name an option jobs cannot set, or fail the CLI's schema. */
function parseSettings(text: string, tools: FfmpegTools): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    throw new HttpError(400, 'settings: not JSON');
  }
  const r = jobSettingsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
    throw new HttpError(400, issue.code === 'unrecognized_keys' ? `settings: ${key} cannot be set for a job` : `settings: ${key}: ${issue.message}`);
  }
  try {
    return settingsToArgs(r.data, (name) => encoderProblem(tools, name)?.text).args;
  } catch (err) {
    if (err instanceof SettingsError) throw new HttpError(400, `settings: ${err.message}`);
    throw err;
  }
}
