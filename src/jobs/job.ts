import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isTempOutput } from '../io/outputs.js';
import { runCliChild } from './cli-child.js';

/**
 * A job of `faceblur serve`: one uploaded file and the CLI options to run on it. Every job lives in
 * its own folder, `DATA/jobs/<id>/`, which serve and every worker share (a local disk, or an NFS or
 * SMB mount when workers run on other machines). The folder is the only channel between them
 * besides the queue, so that any process can tell a job's state by reading files.
 *
 * Layout of a job folder:
 * - `job.json`: the {@link JobRecord}, written once by serve when the upload completed;
 * - `input.<ext>`: the uploaded bytes (the user's file name is never a path);
 * - `state.json`: the {@link JobState}, rewritten atomically by whoever runs the job;
 * - `output.<ext>`: the result, renamed into place only when complete.
 */
export const jobRecordSchema = z.object({
  /** Random and URL-safe ({@link newJobId}); also the folder's name. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** ISO 8601, when the upload completed; retention counts from here. */
  createdAt: z.string(),
  /** The uploaded file's name, for display and for the download's name only. */
  inputName: z.string().max(255),
  /** File names inside the job folder. */
  inputFile: z.string().regex(/^input\.[a-z0-9]{1,5}$/),
  outputFile: z.string().regex(/^output\.[a-z0-9]{1,5}$/),
  kind: z.enum(['video', 'photo']),
  /** CLI options (`--thresh 0.4` …), already validated by the CLI's zod schema when the job was made. */
  args: z.array(z.string()),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

export const jobStateSchema = z.object({
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  /** 0..1 of the whole job. */
  progress: z.number().min(0).max(1),
  /** One line: the error of a failed job, or what is happening. */
  message: z.string().optional(),
  /** ISO 8601. */
  updatedAt: z.string(),
});
export type JobState = z.infer<typeof jobStateSchema>;

/** Runs queued jobs: in the serve process (embedded) or on workers through a queue in Redis. */
export interface JobRunner {
  /** Queues a job whose folder, input and `job.json` exist. Resolves once the job is durably accepted. */
  enqueue(job: JobRecord): Promise<void>;
  /** Stops the job if it is queued or running; best effort. Serve deletes its folder afterwards. */
  cancel(id: string): Promise<void>;
  /** Stops taking jobs and lets the running ones end (or kills them); resolves when nothing runs. */
  close(): Promise<void>;
  /**
   * How many `faceblur worker` processes take jobs from the queue now, or undefined where serve runs
   * the jobs itself (or cannot tell): 0 is what the page warns about, since queued jobs then wait.
   */
  workers(): Promise<number | undefined>;
}

/** 18 random bytes as base64url: 24 characters, 144 bits, unguessable. */
export const newJobId = (): string => randomBytes(18).toString('base64url');

export const jobDir = (dataDir: string, id: string): string => join(dataDir, 'jobs', id);

/** @throws Error when `job.json` is missing or malformed. */
export async function readJob(dataDir: string, id: string): Promise<JobRecord> {
  return jobRecordSchema.parse(JSON.parse(await readFile(join(jobDir(dataDir, id), 'job.json'), 'utf8')));
}

/** The job's state, or undefined when it has none yet (or the folder was deleted). */
export async function readJobState(dataDir: string, id: string): Promise<JobState | undefined> {
  try {
    return jobStateSchema.parse(JSON.parse(await readFile(join(jobDir(dataDir, id), 'state.json'), 'utf8')));
  } catch {
    return undefined;
  }
}

/** Writes `state.json` under a temp name and renames it, so readers on any machine never see half a file. */
export async function writeJobState(dataDir: string, id: string, state: Omit<JobState, 'updatedAt'>): Promise<void> {
  const dir = jobDir(dataDir, id);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.state.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }));
  await rename(temp, join(dir, 'state.json'));
}

/**
 * Runs a whole job in one process: this faceblur's own CLI on the job's input, writing `output.<ext>`
 * (the CLI writes a temp file and renames it on success, so a killed run publishes nothing).
 * `onProgress` gets 0..1 of the frames. Resolves with what the run said about the file (runCliChild).
 * @throws Error with the CLI's one-line message when it fails, or the signal's reason when aborted.
 */
export async function runWholeJob(dataDir: string, job: JobRecord, signal: AbortSignal, onProgress: (fraction: number) => void): Promise<string[]> {
  const dir = jobDir(dataDir, job.id);
  // A run killed with its worker left its temp output here; this run holds the job now (one at a time).
  for (const name of await readdir(dir)) if (isTempOutput(name)) await rm(join(dir, name), { force: true });
  return runCliChild([join(dir, job.inputFile), '-o', join(dir, job.outputFile), ...job.args], (done, total) => onProgress(total ? done / total : 0), signal);
}

/** A finished job's state: its message is what the run said about the file, one note a line. */
export const doneState = (notes: readonly string[]): Omit<JobState, 'updatedAt'> => ({ status: 'done', progress: 1, ...(notes.length > 0 ? { message: notes.join('\n') } : {}) });
