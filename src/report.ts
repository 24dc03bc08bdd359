import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Box } from './detect/box.js';
import { usageError, UserError } from './errors.js';
import { claimFile, fsReason } from './io/claim.js';
import { samePath, tempPathFor } from './io/outputs.js';
import { isPredicted, type BoxKind } from './project/schema.js';

/**
 * One anonymized region: the bounds of its mask and the face box it was drawn from (both clipped to
 * the frame), the score of the detection it rests on, and, when a tracker or a project gave it, its
 * track and how its box was found on this frame (see BoxKind).
 */
export interface ReportRegion {
  box: Box;
  face: Box;
  score: number;
  kind?: BoxKind;
  track?: number;
}

/** What a report says about a run: detection, tracking and mask settings, as faceblur applied them. */
export type ReportSettings = Record<string, unknown>;

export interface ReportFile {
  frame(index: number, time: number, regions: readonly ReportRegion[]): void;
  end(result: { status: 'ok' | 'failed' | 'skipped'; error?: string; frames: number }): void;
}

/** Counts for one file, or summed over the run. */
interface Summary {
  /** Distinct tracks anonymized (each face of a photo is one); regions without a track are not counted. */
  tracks: number;
  regions: number;
  framesWithRegions: number;
  /** Frames where at least one mask rests on no detection of that frame: held, lookahead or interpolated. */
  framesWithPredictedRegions: number;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const box1 = (b: Box) => ({ x1: r1(b.x1), y1: r1(b.y1), x2: r1(b.x2), y2: r1(b.y2) });
/** A mask whose clipped bounds are thinner than a pixel anonymized nothing and is left out. */
const covers = (b: Box) => b.x2 - b.x1 >= 1 && b.y2 - b.y1 >= 1;

/**
 * Checks a --report path before any work: a folder is refused (exit 2), and the report's temp file
 * is created and removed again (with the folders above it, which stay), so that a report that
 * cannot be written is said at once rather than lost after the run.
 * `inputs` and `outputs` are the run's files, which the report must not replace; an existing report
 * is replaced only with --force, as an existing output is.
 * @throws UserError "--report PATH: is a folder…", "… is an input of this run…", "… is where an
 * output of this run goes…" or "… already exists…" (exit 2), or "cannot write to FOLDER: reason" (exit 1).
 */
export async function checkReportPath(path: string, inputs: string[], outputs: string[], o: { force: boolean; skipExisting: boolean }): Promise<void> {
  if (path.trim() === '') throw usageError('--report needs a file name, such as report.json');
  if (path === REPORT_TO_STDOUT) return;
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw usageError(`--report ${path}: is a folder; name a file in it, such as ${join(path, 'report.json')}`);
  // Found in a new-user trial: `--report clip.mp4` replaced the input with JSON.
  if (inputs.some((p) => samePath(p, path))) throw usageError(`--report ${path}: is an input of this run, which is never overwritten; name another file, such as report.json`);
  if (outputs.some((p) => samePath(p, path))) throw usageError(`--report ${path}: is where an output of this run goes; name another file, such as report.json`);
  // A new-user trial's earlier audit report was replaced without a word; it is an output like any other.
  if (existing && !o.force) {
    throw usageError(`--report ${path}: already exists (${o.skipExisting ? "name another file for this run's report" : 'use --force to overwrite, or name another file'})`);
  }
  const temp = tempPathFor(path);
  await claimFile(temp);
  await rm(temp, { force: true });
}

/**
 * `--report -` writes the report to stdout, in place of the output paths (each file's `output` is in
 * it), so that it can be piped to jq. A trial's `--report -` wrote a file named "-".
 */
export const REPORT_TO_STDOUT = '-';

/** A write stream whose errors wait for `finished()` (close, append) instead of crashing the process as an unhandled 'error' event. */
function writeStream(path: string): WriteStream {
  return createWriteStream(path).on('error', () => undefined);
}

/**
 * Streams the --report JSON as files and frames go by, so that a long video's report never sits in
 * memory. Each file's section goes to its own part file first (files may run concurrently with
 * --jobs) and is appended to the report when the file ends; the report itself is a temp file
 * renamed when the run ends, like every other output. Fields: README, "The report".
 */
export class ReportWriter {
  private readonly stream: WriteStream;
  private readonly temp: string;
  private readonly parts = new Set<string>();
  private readonly begun = new Set<string>();
  private readonly total: Summary & { files: number; failed: number } = { files: 0, failed: 0, tracks: 0, regions: 0, framesWithRegions: 0, framesWithPredictedRegions: 0 };
  /** Appends run one after another, in the order files finish. */
  private appending: Promise<void> = Promise.resolve();

  /** Where the temp and part files go: beside the report, or in the temp folder for stdout. */
  private readonly base: string;

  constructor(private readonly path: string, version: string, settings: ReportSettings) {
    this.base = path === REPORT_TO_STDOUT ? join(tmpdir(), 'faceblur-report.json') : path;
    this.temp = tempPathFor(this.base);
    this.stream = writeStream(this.temp);
    this.stream.write(`{"format":"faceblur-report","version":1,"faceblur":${JSON.stringify(version)},"settings":${JSON.stringify(settings)},"files":[`);
  }

  private append(partPath: string): void {
    this.appending = this.appending.then(async () => {
      if (this.total.files++ > 0) this.stream.write(',');
      // Not stream.pipeline with { end: false }: each call left its listeners on the report stream,
      // and ten files brought Node's MaxListenersExceededWarning to stderr (a new-user trial).
      for await (const chunk of createReadStream(partPath)) {
        // A stream that already failed would never drain; its error is close()'s to report.
        if (this.stream.errored) throw this.stream.errored;
        if (!this.stream.write(chunk)) await once(this.stream, 'drain');
      }
      await rm(partPath, { force: true });
      this.parts.delete(partPath);
    });
  }

  beginFile(info: { input: string; output: string; kind: 'video' | 'image'; width: number; height: number }): ReportFile {
    this.begun.add(info.input);
    const partPath = tempPathFor(this.base);
    this.parts.add(partPath);
    const part = writeStream(partPath);
    part.write(`\n${JSON.stringify(info).slice(0, -1)},"frames":[`);
    const tracks = new Set<number>();
    const s: Summary = { tracks: 0, regions: 0, framesWithRegions: 0, framesWithPredictedRegions: 0 };
    let frames = 0;
    let open = true;
    return {
      frame: (index, time, regions) => {
        const kept = regions.filter((r) => covers(r.box));
        const rs = kept.map((r) => ({
          ...box1(r.box),
          score: Math.round(r.score * 1000) / 1000,
          face: box1(r.face),
          ...(r.kind ? { kind: r.kind } : {}),
          ...(r.track === undefined ? {} : { track: r.track }),
        }));
        for (const r of kept) if (r.track !== undefined) tracks.add(r.track);
        s.regions += kept.length;
        if (kept.length > 0) s.framesWithRegions++;
        if (kept.some((r) => isPredicted(r.kind))) s.framesWithPredictedRegions++;
        part.write(`${frames++ > 0 ? ',' : ''}\n{"index":${index},"time":${Math.round(time * 1e6) / 1e6},"regions":${JSON.stringify(rs)}}`);
      },
      end: (result) => {
        if (!open) return;
        open = false;
        s.tracks = tracks.size;
        for (const k of Object.keys(s) as (keyof Summary)[]) this.total[k] += s[k];
        if (result.status === 'failed') this.total.failed++;
        const { frames: count, ...rest } = result;
        part.end(`],"frameCount":${count},${JSON.stringify(rest).slice(1, -1)},"summary":${JSON.stringify(s)}}`);
        this.appending = this.appending.then(() => finished(part));
        this.append(partPath);
      },
    };
  }

  /** An input that failed before its processing began (missing, refused, …): listed with its error. */
  failed(input: string, error: string): void {
    if (this.begun.has(input)) return;
    this.begun.add(input);
    const partPath = tempPathFor(this.base);
    this.parts.add(partPath);
    this.total.failed++;
    const part = writeStream(partPath);
    part.end(`\n${JSON.stringify({ input, status: 'failed', error, frames: [], frameCount: 0 })}`);
    this.appending = this.appending.then(() => finished(part));
    this.append(partPath);
  }

  /** Ends the report and renames it into place, or copies it to stdout. @throws UserError when it could not be written. */
  async close(): Promise<void> {
    try {
      await this.appending;
      this.stream.end(`\n],"summary":${JSON.stringify(this.total)}}\n`);
      await finished(this.stream);
      if (this.path !== REPORT_TO_STDOUT) return await rename(this.temp, this.path);
      // Whole only once the run ends: stdout gets one complete JSON document or nothing.
      for await (const chunk of createReadStream(this.temp)) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      await rm(this.temp, { force: true });
    } catch (err) {
      await rm(this.temp, { force: true });
      throw new UserError(`cannot write the report ${this.path === REPORT_TO_STDOUT ? 'to stdout' : this.path}: ${fsReason(err)}`);
    }
  }

  async discard(): Promise<void> {
    await this.appending.catch(() => undefined);
    this.stream.destroy();
    await Promise.all([this.temp, ...this.parts].map((p) => rm(p, { force: true })));
  }
}
