import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jobDir, type JobRecord } from '../jobs/job.js';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { fileOptionsSchema } from '../options.js';
import { anonymizeSettingsOf } from '../pipeline/setup.js';
import { ReviewApp } from '../review/app.js';
import { DETECT, RENDER } from '../review/options.js';
import { reviewRoutes, sendReviewError } from '../review/server.js';
import { argsToSettings, optionOfArg } from './job-settings.js';

const within = (keys: readonly string[]) => (arg: string) => keys.includes(optionOfArg(arg) ?? '');

/**
 * The review editors of serve's finished jobs: one ReviewApp per job, opened on first visit and
 * kept until the job is deleted or serve stops. The project is `project.faceblur.json` in the job's
 * folder (so retention deletes it with the job) and Export writes over the job's output, which the
 * download then serves.
 */
export class ReviewHost {
  private readonly open = new Map<string, ReviewApp>();

  constructor(
    private readonly dataDir: string,
    private readonly tools: FfmpegTools,
  ) {}

  /**
   * Serves one request under `/jobs/<id>/review/`; `path` is the rest (`/`, `/api/state`, …) and
   * `token` the credential the page passes on to its own requests.
   */
  async handle(job: JobRecord, req: IncomingMessage, res: ServerResponse, path: string, search: string, token: string): Promise<void> {
    let app = this.open.get(job.id);
    if (!app) {
      const dir = jobDir(this.dataDir, job.id);
      const options = fileOptionsSchema.parse(argsToSettings(job.args));
      app = new ReviewApp({
        input: join(dir, job.inputFile),
        title: job.inputName,
        projectPath: join(dir, 'project.faceblur.json'),
        outputPath: join(dir, job.outputFile),
        // A trial's export said "written to /srv/…/jobs/ID/output.mp4", meaningless in a browser elsewhere.
        outputName: "the job's output (its Download link on the jobs page)",
        replaceExisting: true,
        analyzeArgs: job.args.filter(within(DETECT)),
        exportArgs: job.args.filter(within(RENDER)),
        anonymize: anonymizeSettingsOf(options, job.kind === 'photo' ? 'still' : 'motion'),
        tools: this.tools,
      });
      this.open.set(job.id, app);
      void app.start();
    }
    // Routes per request: the page's links carry this visitor's token, never another user's.
    const routes = reviewRoutes(app, token, job.inputName);
    await routes(req, res, new URL(`${path}${search}`, 'http://127.0.0.1')).catch((err: unknown) => sendReviewError(res, err));
  }

  /** Closes the job's editor (saving its project), if open. */
  async close(id: string): Promise<void> {
    const app = this.open.get(id);
    this.open.delete(id);
    await app?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)));
  }
}
