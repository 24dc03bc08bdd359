import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jobDir, newJobId, readJob, readJobState, type JobRecord, type JobRunner, type JobState } from '../jobs/job.js';

/** A job as the API shows it: its record, its state, and what can be done with it. */
export interface JobView {
  id: string;
  name: string;
  kind: JobRecord['kind'];
  createdAt: string;
  /** ISO 8601: when retention deletes the job. */
  expiresAt: string;
  status: JobState['status'];
  progress: number;
  message?: string;
  args: string[];
  /** Bytes of the output, once done. */
  outputSize?: number;
}

/**
 * The jobs of one data folder, for serve. A job's folder is made whole under `DATA/uploads/` and
 * renamed into `DATA/jobs/` only when its upload is complete and checked, so that `jobs/` never
 * holds half an upload; `state.json`, written by whoever runs the job, is the only source of its
 * status, so this works the same when workers on other machines run the jobs.
 */
export class JobStore {
  readonly uploads: string;

  constructor(
    readonly dataDir: string,
    private readonly runner: JobRunner,
    /** Seconds a job is kept after its upload. */
    private readonly retention: number,
  ) {
    this.uploads = join(dataDir, 'uploads');
  }

  /** Makes the data folder, and removes uploads a stopped serve left half done. */
  async open(): Promise<void> {
    await rm(this.uploads, { recursive: true, force: true });
    await mkdir(this.uploads, { recursive: true });
    await mkdir(join(this.dataDir, 'jobs'), { recursive: true });
  }

  /** A fresh folder for one upload, under `uploads/`; the caller removes it if the upload fails. */
  async uploadDir(): Promise<string> {
    const dir = join(this.uploads, randomBytes(12).toString('hex'));
    await mkdir(dir);
    return dir;
  }

  /**
   * Publishes a complete upload: writes `job.json` into `dir`, renames `dir` to `jobs/<id>` and
   * queues the job. `dir` must hold `record.inputFile`.
   * @throws the runner's error when the job could not be queued; the job's folder is removed then.
   */
  async create(dir: string, record: Omit<JobRecord, 'id' | 'createdAt'>): Promise<JobView> {
    const job: JobRecord = { id: newJobId(), createdAt: new Date().toISOString(), ...record };
    await writeFile(join(dir, 'job.json'), JSON.stringify(job, null, 2));
    await rename(dir, jobDir(this.dataDir, job.id));
    try {
      await this.runner.enqueue(job);
    } catch (err) {
      // Not queued (Redis down): a job that would stay queued forever is worse than none.
      await rm(jobDir(this.dataDir, job.id), { recursive: true, force: true });
      throw err;
    }
    return (await this.get(job.id))!;
  }

  /** The job, or undefined when there is none with this id (ids are checked before any path is made). */
  async get(id: string): Promise<JobView | undefined> {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) return undefined;
    const job = await readJob(this.dataDir, id).catch(() => undefined);
    if (!job) return undefined;
    const state: Pick<JobState, 'status' | 'progress' | 'message'> = (await readJobState(this.dataDir, id)) ?? { status: 'queued', progress: 0 };
    const outputSize = state.status === 'done' ? await stat(this.outputPath(job)).then((s) => s.size, () => undefined) : undefined;
    return {
      id: job.id,
      name: job.inputName,
      kind: job.kind,
      createdAt: job.createdAt,
      expiresAt: new Date(Date.parse(job.createdAt) + this.retention * 1000).toISOString(),
      status: state.status,
      progress: state.progress,
      ...(state.message ? { message: state.message } : {}),
      args: job.args,
      ...(outputSize === undefined ? {} : { outputSize }),
    };
  }

  /** See {@link JobRunner.workers}. */
  workers(): Promise<number | undefined> {
    return this.runner.workers();
  }

  /** Every job, newest first. */
  async list(): Promise<JobView[]> {
    const ids = await readdir(join(this.dataDir, 'jobs')).catch(() => [] as string[]);
    const jobs = (await Promise.all(ids.map((id) => this.get(id)))).filter((j): j is JobView => j !== undefined);
    return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  record(id: string): Promise<JobRecord> {
    return readJob(this.dataDir, id);
  }

  outputPath(job: JobRecord): string {
    return join(jobDir(this.dataDir, job.id), job.outputFile);
  }

  /** Stops the job if it runs, then deletes its folder: input, output, state, everything. */
  async delete(id: string): Promise<void> {
    await this.runner.cancel(id);
    await rm(jobDir(this.dataDir, id), { recursive: true, force: true });
  }

  /** Ids of the jobs whose retention has run out at `now` (ms since the epoch). */
  async expired(now = Date.now()): Promise<string[]> {
    const jobs = await this.list();
    return jobs.filter((j) => Date.parse(j.expiresAt) <= now).map((j) => j.id);
  }
}
