/**
 * What the review server and its page exchange as JSON. Types only and no imports, so that the page
 * (web/review, bundled for the browser) and the server share one definition.
 */

/** A track or a candidate as the page draws it. */
export interface TrackView {
  id: number;
  /** 'candidate' for a suggestion below the threshold. */
  origin: 'auto' | 'manual' | 'static' | 'candidate';
  action: 'redact' | 'keep' | 'candidate';
  /**
   * For a redacted auto track that follows the face of a kept one (keptDuplicates in
   * src/project/regions.ts): the kept track's id. Export leaves it visible with that face.
   */
  follows?: number;
  label?: string;
  /** Best score along the track, 0..1, and the frame it was seen on (the thumbnail's frame). */
  bestScore: number;
  bestFrame: number;
  /** Per-frame boxes in frame pixels (0.1 px); `kind` indexes BOX_KINDS of src/project/box-kinds.ts (held and lookahead boxes had no detection). */
  boxes: { frame: number[]; x1: number[]; y1: number[]; x2: number[]; y2: number[]; kind: number[] };
}

export interface ProjectView {
  revision: number;
  /** `timestamps`: every frame's time in seconds from the first frame; `duration` in seconds. */
  input: { name: string; kind: 'video' | 'image'; width: number; height: number; frameCount: number; duration: number; timestamps: number[] };
  tracks: TrackView[];
}

/** A track's fields in a patch: `boxes` is left out when they did not change (say, only its action did). */
export type TrackChange = Omit<TrackView, 'boxes'> & { boxes?: TrackView['boxes'] };

/**
 * What changed from revision `from` to `revision`: the tracks and candidates added or changed, and
 * the ids of those removed. The page applies it to its copy of revision `from`, so that an edit
 * sends back only what it touched, not the whole project.
 */
export interface ProjectPatch {
  from: number;
  revision: number;
  changed: TrackChange[];
  removed: number[];
}

/** A long task the page shows with a progress bar: analyze, follow a box, export. */
export interface JobState {
  /** Counts this review's jobs from 1: tells one follow or export from the next. */
  id: number;
  kind: 'analyze' | 'follow' | 'export';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Frames done of total; total 0 while unknown. */
  done: number;
  total: number;
  /** A follow's place: the frame it just read (on its way to the drawn one) or followed, of frames 0..last. */
  at?: { frame: number; pass: 'reading' | 'backward' | 'forward'; last: number };
  /** One line for the page: the error, or what was written where. */
  message?: string;
  /** A follow that is done: the id of the track it made (the page selects it). */
  track?: number;
}

/** Everything the page polls: whether the project is ready, the running job, the save and undo state. */
export interface ReviewState {
  phase: 'analyzing' | 'ready' | 'failed';
  error?: string;
  job?: JobState;
  revision: number;
  saved: boolean;
  saveError?: string;
  canUndo: boolean;
  canRedo: boolean;
  projectPath: string;
  outputPath: string;
  /** On the answer to an edit, undo or redo: the changes since the revision the page said it had (`?since=`). */
  changes?: ProjectPatch;
}
