/** Rolling live figures over the last `windowMs`: frame rate, latency percentiles, faces. */
export interface LiveStats {
  frames: number;
  dropped: number;
  fps: number;
  latencyMs: { median: number; p95: number };
  faces: number;
  width: number;
  height: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Whole-session latency percentiles from a histogram of 1 ms bins: bounded memory however long the session. */
class LatencyHistogram {
  private readonly bins = new Uint32Array(2001);
  private count = 0;
  add(ms: number): void {
    this.bins[Math.min(this.bins.length - 1, Math.max(0, Math.round(ms)))]!++;
    this.count++;
  }
  percentile(p: number): number {
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) if ((seen += this.bins[i]!) >= rank) return i;
    return 0;
  }
}

export class StatsWindow {
  private readonly served: { at: number; latency: number }[] = [];
  private readonly all = new LatencyHistogram();
  private frames = 0;
  private faces = 0;
  private size = { width: 0, height: 0 };

  constructor(private readonly windowMs = 5000) {}

  /** One frame served at `at` (ms), `latency` ms after it was read. */
  add(at: number, latency: number, faces: number, width: number, height: number): void {
    this.frames++;
    this.faces = faces;
    this.size = { width, height };
    this.served.push({ at, latency });
    this.all.add(latency);
    while (this.served.length > 0 && this.served[0]!.at < at - this.windowMs) this.served.shift();
  }

  /** Median and 95th percentile latency of the whole session, in whole milliseconds. */
  overall(): { median: number; p95: number } {
    return { median: this.all.percentile(50), p95: this.all.percentile(95) };
  }

  read(now: number, dropped: number): LiveStats {
    const recent = this.served.filter((s) => s.at >= now - this.windowMs);
    const span = recent.length > 1 ? recent[recent.length - 1]!.at - recent[0]!.at : 0;
    const sorted = recent.map((s) => s.latency).sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      frames: this.frames,
      dropped,
      fps: span > 0 ? round(((recent.length - 1) * 1000) / span) : 0,
      latencyMs: { median: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)) },
      faces: this.faces,
      ...this.size,
    };
  }
}
