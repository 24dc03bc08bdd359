import { firstFrame, uncertainStops, type ProjectPatch, type UncertainStop, type ProjectView, type TrackView } from './model.js';

/**
 * The page's copy of the project: the view first fetched whole, then kept current with the patches
 * the server sends after each edit (only the tracks that changed). `tracks` is in the panel's and
 * the timeline's order: tracks by first frame, then suggestions by score.
 */
export class ProjectStore {
  private byId = new Map<number, TrackView>();
  view!: ProjectView;
  tracks: TrackView[] = [];
  /** Where "next uncertain" stops (model.ts uncertainStops), by frame. */
  uncertain: UncertainStop[] = [];
  counts = { tracks: 0, suggestions: 0 };

  get revision(): number {
    return this.view?.revision ?? -1;
  }

  get input(): ProjectView['input'] {
    return this.view.input;
  }

  set(view: ProjectView): void {
    this.view = view;
    this.byId = new Map(view.tracks.map((t) => [t.id, t]));
    this.order();
  }

  /** Applies a patch made from this copy's revision; false (nothing applied) when it was made from another. */
  patch(p: ProjectPatch): boolean {
    if (p.from !== this.revision) return false;
    for (const id of p.removed) this.byId.delete(id);
    for (const c of p.changed) {
      const boxes = c.boxes ?? this.byId.get(c.id)?.boxes;
      if (!boxes) return false;
      this.byId.set(c.id, { ...c, boxes });
    }
    this.view = { ...this.view, revision: p.revision, tracks: [...this.byId.values()] };
    this.order();
    return true;
  }

  get(id: number | undefined): TrackView | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  private order(): void {
    const all = [...this.byId.values()];
    const tracks = all.filter((t) => t.action !== 'candidate').sort((a, b) => firstFrame(a) - firstFrame(b) || a.id - b.id);
    const cands = all.filter((t) => t.action === 'candidate').sort((a, b) => b.bestScore - a.bestScore || a.id - b.id);
    this.tracks = [...tracks, ...cands];
    this.uncertain = uncertainStops(this.tracks);
    this.counts = { tracks: tracks.length, suggestions: cands.length };
  }
}
