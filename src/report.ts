import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished, pipeline } from 'node:stream/promises';
import type { Box } from './detect/box.js';
import { tempPathFor } from './io/outputs.js';

/** One anonymized region: the bounds of its mask (clipped to the frame), and the face box the detector gave. */
export interface ReportRegion {
  box: Box;
  face: Box;
  score: number;
}

export interface ReportFile {
  frame(index: number, time: number, regions: readonly ReportRegion[]): void;
  end(result: { status: 'ok' | 'failed' | 'skipped'; error?: string; frames: number }): void;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const box1 = (b: Box) => ({ x1: r1(b.x1), y1: r1(b.y1), x2: r1(b.x2), y2: r1(b.y2) });

/**
 * Streams the --report JSON as files and frames go by, so that a long video's report never sits in
 * memory. Each file's section goes to its own part file first (files may run concurrently with
 * --jobs) and is appended to the report when the file ends; the report itself is a temp file
 * renamed when the run ends, like every other output.
 */
export class ReportWriter {
  private readonly stream: WriteStream;
  private readonly temp: string;
  private readonly parts = new Set<string>();
  private files = 0;
  /** Appends run one after another, in the order files finish. */
  private appending: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, version: string) {
    this.temp = tempPathFor(path);
    this.stream = createWriteStream(this.temp);
    this.stream.write(`{"faceblur":${JSON.stringify(version)},"files":[`);
  }

  beginFile(info: { input: string; output: string; kind: 'video' | 'image'; width: number; height: number }): ReportFile {
    const partPath = tempPathFor(this.path);
    this.parts.add(partPath);
    const part = createWriteStream(partPath);
    part.write(`\n${JSON.stringify(info).slice(0, -1)},"frames":[`);
    let frames = 0;
    let open = true;
    return {
      frame: (index, time, regions) => {
        const rs = regions.map((r) => ({ ...box1(r.box), score: Math.round(r.score * 1000) / 1000, face: box1(r.face) }));
        part.write(`${frames++ > 0 ? ',' : ''}\n{"index":${index},"time":${Math.round(time * 1e6) / 1e6},"regions":${JSON.stringify(rs)}}`);
      },
      end: (result) => {
        if (!open) return;
        open = false;
        const { frames: count, ...rest } = result;
        part.end(`],"frameCount":${count},${JSON.stringify(rest).slice(1)}`);
        this.appending = this.appending.then(async () => {
          await finished(part);
          if (this.files++ > 0) this.stream.write(',');
          await pipeline(createReadStream(partPath), this.stream, { end: false });
          await rm(partPath, { force: true });
          this.parts.delete(partPath);
        });
      },
    };
  }

  async close(): Promise<void> {
    await this.appending;
    this.stream.end('\n]}\n');
    await finished(this.stream);
    await rename(this.temp, this.path);
  }

  async discard(): Promise<void> {
    await this.appending.catch(() => undefined);
    this.stream.destroy();
    await Promise.all([this.temp, ...this.parts].map((p) => rm(p, { force: true })));
  }
}
