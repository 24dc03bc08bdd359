import { clipBox, type Box } from '../detect/box.js';
import { BoxesBuilder } from './boxes.js';
import type { BoxKind, Candidate, InputIdentity, Project, ProjectSettings, Track } from './schema.js';

/** A region as the tracker gives it: its track (numbered by that tracker) and how it was found. */
export interface BuildRegion {
  score: number;
  box: Box;
  trackId: number;
  kind: BoxKind;
}

const centreInside = (b: Box, outer: Box) => {
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  return cx >= outer.x1 && cx < outer.x2 && cy >= outer.y1 && cy < outer.y2;
};

/**
 * Collects an analysis frame by frame into a project: the redacted tracker's regions become auto
 * tracks, the candidate tracker's become candidates, minus every box whose centre lies in a redacted
 * region of the same frame (a face already covered needs no suggestion). A candidate is kept only if
 * one of its own detections survives that; its best score is the highest of those. Ids are given in
 * order of first appearance, tracks first, so that they are small and stable for a given analysis.
 * Boxes are stored as the tracker gives them, not clipped: the mask is drawn from the face box's centre
 * and size, so a clipped box would shrink the mask of a face half out of the frame.
 */
export class ProjectBuilder {
  /** Frames are `width` x `height` pixels: boxes with less than a pixel inside them are dropped. */
  constructor(private readonly width: number, private readonly height: number) {}

  private inside(r: BuildRegion): BuildRegion | undefined {
    const box = clipBox(r.box, this.width, this.height);
    return box.x2 - box.x1 >= 1 && box.y2 - box.y1 >= 1 ? r : undefined;
  }

  private readonly tracks = new Map<number, BoxesBuilder>();
  private readonly candidates = new Map<number, { boxes: BoxesBuilder; best: number }>();
  private readonly times: number[] = [];

  /** Frames must come in order, each once. */
  add(frame: number, time: number, allRegions: readonly BuildRegion[], allCandidates: readonly BuildRegion[]): void {
    this.times.push(time);
    const regions = allRegions.flatMap((r) => this.inside(r) ?? []);
    const candidates = allCandidates.flatMap((r) => this.inside(r) ?? []);
    for (const r of regions) {
      let b = this.tracks.get(r.trackId);
      if (!b) this.tracks.set(r.trackId, (b = new BoxesBuilder()));
      b.push(frame, r.box, r.score, r.kind);
    }
    for (const c of candidates) {
      if (regions.some((r) => centreInside(c.box, r.box))) continue;
      let entry = this.candidates.get(c.trackId);
      if (!entry) this.candidates.set(c.trackId, (entry = { boxes: new BoxesBuilder(), best: 0 }));
      entry.boxes.push(frame, c.box, c.score, c.kind);
      if (c.kind === 'detected') entry.best = Math.max(entry.best, c.score);
    }
  }

  get frameCount(): number {
    return this.times.length;
  }

  /** The project; `input` is the identity without the frame count and timestamps, which come from the frames added. */
  finish(faceblur: string, input: Omit<InputIdentity, 'frameCount' | 'timestamps'>, settings: ProjectSettings): Project {
    let id = 0;
    const tracks: Track[] = [...this.tracks.values()].map((b) => ({ id: id++, origin: 'auto', action: 'redact', boxes: b.build() }));
    const candidates: Candidate[] = [...this.candidates.values()]
      .filter((c) => c.best > 0)
      .map((c) => ({ id: id++, bestScore: Math.round(c.best * 1000) / 1000, boxes: c.boxes.build() }));
    return {
      format: 'faceblur-project',
      version: 1,
      faceblur,
      input: { ...input, frameCount: this.times.length, timestamps: Float64Array.from(this.times) },
      settings,
      tracks,
      candidates,
    };
  }
}
