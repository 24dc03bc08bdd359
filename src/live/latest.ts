/**
 * A one-place mailbox between a live source and a slower consumer: a new item replaces the one
 * still waiting (which is handed to `drop`), so the consumer always gets the newest frame and
 * latency never builds up in a queue.
 */
export class Latest<T> {
  private slot: T | undefined;
  private waiter: ((v: T | undefined) => void) | undefined;
  private ended = false;
  dropped = 0;

  constructor(private readonly drop: (v: T) => void) {}

  put(v: T): void {
    if (this.ended) return this.drop(v);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      return w(v);
    }
    if (this.slot !== undefined) {
      this.drop(this.slot);
      this.dropped++;
    }
    this.slot = v;
  }

  /** The newest item, waiting for one if none is there; undefined once ended and empty. */
  take(): Promise<T | undefined> {
    if (this.slot !== undefined) {
      const v = this.slot;
      this.slot = undefined;
      return Promise.resolve(v);
    }
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** No more items: a waiting take() resolves undefined; an item still in the slot is dropped. */
  end(): void {
    this.ended = true;
    if (this.slot !== undefined) this.drop(this.slot);
    this.slot = undefined;
    this.waiter?.(undefined);
    this.waiter = undefined;
  }
}
