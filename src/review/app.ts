import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AnonymizeSettings } from '../anonymize/anonymize.js';
import type { Box } from '../detect/box.js';
import { errorMessage } from '../errors.js';
import { isImagePath } from '../io/media-kind.js';
import { unusedOutputPath } from '../io/outputs.js';
import { makeScratch } from './scratch.js';
import type { Progress, ProgressDisplay } from '../ui/progress.js';
import type { FfmpegTools } from '../media/ffmpeg.js';
import { indexOfFrame, rowAt } from '../project/boxes.js';
import { addManualTrack, ProjectEditError } from '../project/edit.js';
import { trackBox } from '../track/follow.js';
import { checkProjectInput, readProject } from '../project/file.js';
import { projectRegionsAt, redactsAnything } from '../project/regions.js';
import type { Project } from '../project/schema.js';
import { editFor, type Action } from './actions.js';
import { FrameSource } from './frames.js';
import { runCliChild } from '../jobs/cli-child.js';
import { ReviewSession } from './session.js';
import { best, projectPatch, projectView, type ProjectView } from './view.js';
import type { JobState, ProjectPatch, ReviewState } from './wire.js';

/** Project values kept by revision, for the pages' patches: more than any page falls behind between two polls. */
const SNAPSHOTS = 32;

export interface ReviewConfig {
  input: string;
  /** The name the page shows for the input (serve: the uploaded file's name); default: its file name. */
  title?: string;
  projectPath: string;
  /** Where Export writes. */
  outputPath: string;
  /** What the export's message calls its file (serve: the job's download, not its path on the server); default: its path. */
  outputName?: string;
  /**
   * Whether Export may replace a file that was at outputPath before this session's first export
   * (`faceblur review --force`, and serve, whose output is the job's own). Otherwise the session
   * exports to the next free name (unusedOutputPath) and keeps to it.
   */
  replaceExisting?: boolean;
  /** Flags the user gave for analyze (detection) and for the export (masks, encoding). */
  analyzeArgs: string[];
  exportArgs: string[];
  /** The export's mask settings, for "show result". */
  anonymize: AnonymizeSettings;
  tools: FfmpegTools;
  /** Where jobs also draw their progress bars, as the CLI's commands do (the terminal's stderr); none when absent. */
  terminal?: ProgressDisplay;
}

/** A job's bar in the terminal. */
const DOING: Record<JobState['kind'], string> = { analyze: 'analyzing', follow: 'following the box in', export: 'exporting' };

/** A request the page made that cannot apply (HTTP 400 / 409 with this message). */
export class ReviewRequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * One review: the project session (once analyzed or loaded), the frame source, and at most one
 * long job at a time (analyze, export), each cancellable.
 */
export class ReviewApp {
  private session: ReviewSession | undefined;
  private frames: FrameSource | undefined;
  private job: JobState | undefined;
  private jobs = 0;
  private abort: AbortController | undefined;
  private failure: string | undefined;
  private regions: { revision: number; at: ReturnType<typeof projectRegionsAt> } | undefined;
  private readonly snapshots = new Map<number, Project>();
  /** The first analysis's temp folder, where its decoder writes the seek proxy's frames; removed on close. */
  private scratch: string | undefined;
  /** Where this session's exports go: settled by the first export (see ReviewConfig.replaceExisting). */
  private output: string | undefined;

  constructor(readonly config: ReviewConfig) {}

  /**
   * Opens `loaded` (a project already read and checked against the input), or analyzes the input
   * into a new project first; resolves when ready or failed. The analysis of a video also fills the
   * seek proxy (`analyze --seek-proxy`), so that the editor opens holding every frame.
   */
  async start(loaded?: Project): Promise<void> {
    const c = this.config;
    try {
      let prebuilt: string | undefined;
      if (!loaded) {
        if (!isImagePath(c.input)) {
          this.scratch = makeScratch('analysis-');
          prebuilt = join(this.scratch, 'frames.mjpeg');
        }
        const proxy = prebuilt ? ['--seek-proxy', prebuilt] : [];
        await this.runJob('analyze', async (s, progress) => {
          await runCliChild(['analyze', c.input, '-o', c.projectPath, ...proxy, ...c.analyzeArgs], progress, s);
        });
      }
      if (this.failure) return this.removeScratch();
      const project = loaded ?? (await readProject(c.projectPath));
      if (!loaded) await checkProjectInput(project, c.projectPath, c.input);
      this.session = new ReviewSession(c.projectPath, project);
      this.remember();
      this.frames = new FrameSource(c.tools, c.input, project.input, prebuilt);
    } catch (err) {
      this.failure = errorMessage(err);
    }
  }

  state(): ReviewState {
    const s = this.session;
    return {
      phase: s ? 'ready' : this.failure ? 'failed' : 'analyzing',
      ...(this.failure ? { error: this.failure } : {}),
      ...(this.job ? { job: this.job } : {}),
      revision: s?.revision ?? 0,
      saved: s?.isSaved ?? true,
      ...(s?.saveError ? { saveError: s.saveError } : {}),
      canUndo: s?.canUndo ?? false,
      canRedo: s?.canRedo ?? false,
      projectPath: this.config.projectPath,
      outputPath: this.output ?? this.config.outputPath,
    };
  }

  view(): ProjectView {
    const s = this.ready();
    return projectView(s.project, this.config.title ?? basename(this.config.input), s.revision);
  }

  /** Frame `n` as a JPEG, plain or anonymized from the current project by the export's filter code. */
  frameJpeg(n: number, result: boolean): Promise<Buffer> {
    const s = this.ready();
    this.checkFrame(n);
    if (!result) return this.frames!.jpeg(n);
    if (this.regions?.revision !== s.revision) this.regions = { revision: s.revision, at: projectRegionsAt(s.project) };
    return this.frames!.jpeg(n, { regions: this.regions.at(n), settings: this.config.anonymize, key: `r${s.revision}` });
  }

  /** The crop of a track's or candidate's best-scoring box. */
  thumbnail(id: number): Promise<Buffer> {
    const p = this.ready().project;
    const t = p.tracks.find((x) => x.id === id) ?? p.candidates.find((x) => x.id === id);
    if (!t || t.boxes.frame.length === 0) throw new ReviewRequestError(`no track ${id}`, 404);
    const row = rowAt(t.boxes, indexOfFrame(t.boxes, best(t.boxes).bestFrame));
    return this.frames!.crop(row.frame, row.box);
  }

  /**
   * What changed since revision `since` (tracks and candidates added, changed or removed), or
   * undefined when that revision is no longer kept (the page then fetches the whole view).
   */
  changes(since: number): ProjectPatch | undefined {
    const s = this.ready();
    const before = this.snapshots.get(since);
    return before ? projectPatch(before, since, s.project, s.revision) : undefined;
  }

  act(a: Action): void {
    this.edit(editFor(a));
  }

  /**
   * Undoes the last edit; during a follow, the follow is the last thing the user did: cancels it
   * instead, rather than undo, unseen, the edit before it (say, a face accepted for redaction).
   */
  undo(): void {
    const s = this.ready();
    if (this.job?.kind === 'follow' && this.job.state === 'running') return this.cancel();
    s.undo();
    this.remember();
  }

  redo(): void {
    this.ready().redo();
    this.remember();
  }

  /**
   * Starts the export (after saving), as `faceblur INPUT --project FILE -o OUT` would: into
   * config.outputPath, or, when a file was there before this session's first export and
   * replaceExisting is not set, into the next free name, which the session's later exports replace.
   */
  async startExport(): Promise<void> {
    const s = this.ready();
    this.checkIdle();
    await s.flush();
    const c = this.config;
    const out = this.output ?? (c.replaceExisting ? c.outputPath : unusedOutputPath(c.outputPath));
    // Said with the result, as the CLI's render says it: a trial exported a file named _anonymized with every face visible.
    const nothing = !redactsAnything(s.project);
    void this.runJob('export', async (signal, progress) => {
      await runCliChild([c.input, '--project', c.projectPath, '-o', out, '--force', ...c.exportArgs], progress, signal);
      this.output = out;
      return { message: `written to ${c.outputName ?? out}${nothing ? '; nothing in it is anonymized: no track is set to redact, so every face stays visible' : ''}` };
    });
  }

  /**
   * Follows a box drawn on `frame` forward and backward with the box follower (trackBox), into a new
   * manual, redacted track: the drawn box is its keyframe, the followed boxes count as detected (they
   * were found in each frame's pixels). On a photo the drawn box is the track, at once: a follow job
   * that is done before this returns. Either way the done job names the new track (JobState.track).
   */
  startFollow(frame: number, box: Box): void {
    const s = this.ready();
    this.checkIdle();
    this.checkFrame(frame);
    if (s.project.input.kind === 'image') {
      const track = this.addTrack([{ frame, box, score: 1, kind: 'keyframe' }]);
      this.job = { id: ++this.jobs, kind: 'follow', state: 'done', done: 1, total: 1, message: `the drawn box is now track #${track}`, track };
      return;
    }
    void this.runJob('follow', async (signal, onProgress) => {
      const last = s.project.input.frameCount - 1;
      const boxes = await trackBox(this.config.input, frame, box, { signal, onProgress: (done, total, at) => onProgress(done, total, at && { ...at, last }), tools: this.config.tools });
      const track = this.addTrack(boxes.map((b) => ({ frame: b.frame, box: b.box, score: b.score, kind: b.kind === 'keyframe' ? 'keyframe' : 'detected' })));
      return { message: `followed over ${boxes.length} frames (${boxes[0]!.frame}–${boxes[boxes.length - 1]!.frame}) into track #${track}`, track };
    });
  }

  /** True once a project is open for editing (and so is saved on close). */
  get hasProject(): boolean {
    return this.session !== undefined;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Cancels any job, saves, ends the decoders and removes the temp files. */
  async close(): Promise<void> {
    this.abort?.abort();
    await this.session?.flush();
    await this.frames?.close();
    this.removeScratch();
  }

  private removeScratch(): void {
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  private edit(f: Parameters<ReviewSession['apply']>[0]): void {
    try {
      this.ready().apply(f);
    } catch (err) {
      if (err instanceof ProjectEditError) throw new ReviewRequestError(err.message);
      throw err;
    }
    this.remember();
  }

  /** Adds a manual track of `rows` as one edit; returns its id. */
  private addTrack(rows: Parameters<typeof addManualTrack>[1]): number {
    this.edit((p) => addManualTrack(p, rows));
    return this.session!.project.tracks.at(-1)!.id;
  }

  /** Keeps the current project value under its revision, and the last SNAPSHOTS of them. */
  private remember(): void {
    const s = this.session!;
    this.snapshots.set(s.revision, s.project);
    for (const r of this.snapshots.keys()) if (this.snapshots.size > SNAPSHOTS) this.snapshots.delete(r);
  }

  private ready(): ReviewSession {
    if (!this.session) throw new ReviewRequestError(this.failure ?? 'the project is not ready yet', 409);
    return this.session;
  }

  private checkFrame(n: number): void {
    const count = this.session!.project.input.frameCount;
    if (!Number.isInteger(n) || n < 0 || n >= count) throw new ReviewRequestError(`frame ${n} is outside 0..${count - 1}`, 404);
  }

  private checkIdle(): void {
    if (this.job?.state === 'running') throw new ReviewRequestError(`wait for the ${this.job.kind} to finish, or cancel it`, 409);
  }

  /** Runs one job to its end, recording its progress and outcome for the page; never rejects. */
  private async runJob(
    kind: JobState['kind'],
    work: (signal: AbortSignal, progress: (done: number, total: number, at?: JobState['at']) => void) => Promise<Pick<JobState, 'message' | 'track'> | void>,
  ): Promise<void> {
    const job: JobState = { id: ++this.jobs, kind, state: 'running', done: 0, total: 0 };
    const abort = new AbortController();
    this.job = job;
    this.abort = abort;
    let bar: Progress | undefined;
    const progress = (done: number, total: number, at?: JobState['at']) => {
      Object.assign(job, { done, total, ...(at ? { at } : {}) });
      bar ??= this.config.terminal?.bar(`${DOING[kind]} ${basename(this.config.input)}`, total || undefined, 'frames');
      bar?.update(done);
    };
    try {
      Object.assign(job, { state: 'done', ...(await work(abort.signal, progress)) });
    } catch (err) {
      Object.assign(job, abort.signal.aborted ? { state: 'cancelled', message: `${kind} cancelled` } : { state: 'failed', message: errorMessage(err) });
      if (kind === 'analyze') this.failure = job.message;
    }
    bar?.finish(job.state === 'done');
  }
}
