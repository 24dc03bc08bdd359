import { writeProject } from '../project/file.js';
import type { Project } from '../project/schema.js';

/** Undo steps kept; each is a project value that shares unchanged tracks with its neighbours. */
const HISTORY = 200;
/** Milliseconds of quiet after an edit before the project file is written. */
const SAVE_DELAY_MS = 300;

/**
 * The project being reviewed, its undo and redo stacks, and its autosave. Every change is a pure
 * edit's result (src/project/edit.ts), so undo is going back to the previous value. Saves write a
 * temp file and rename it (writeProject), a short while after the last edit, and once more on close.
 */
export class ReviewSession {
  private past: Project[] = [];
  private future: Project[] = [];
  private current: Project;
  private saved = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Increases with every change: the page and the result cache use it to tell project values apart. */
  revision = 0;
  /** The last save error, shown in the page; cleared by the next successful save. */
  saveError: string | undefined;

  constructor(
    readonly file: string,
    project: Project,
  ) {
    this.current = project;
  }

  get project(): Project {
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** True when the file on disk holds the current revision. */
  get isSaved(): boolean {
    return this.saved === this.revision;
  }

  /** Applies one edit (a pure function; it may throw ProjectEditError, leaving everything as it was). */
  apply(edit: (p: Project) => Project): void {
    const next = edit(this.current);
    if (next === this.current) return;
    this.past.push(this.current);
    if (this.past.length > HISTORY) this.past.shift();
    this.future = [];
    this.replace(next);
  }

  undo(): boolean {
    const prev = this.past.pop();
    if (!prev) return false;
    this.future.push(this.current);
    this.replace(prev);
    return true;
  }

  redo(): boolean {
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.current);
    this.replace(next);
    return true;
  }

  /** Writes the current project now (after any write in progress). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const project = this.current;
    const revision = this.revision;
    this.writing = this.writing.then(async () => {
      if (this.saved === revision) return;
      try {
        await writeProject(this.file, project);
        this.saved = revision;
        this.saveError = undefined;
      } catch (err) {
        this.saveError = `cannot save ${this.file}: ${(err as Error).message}`;
      }
    });
    return this.writing;
  }

  private replace(p: Project): void {
    this.current = p;
    this.revision++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }
}
