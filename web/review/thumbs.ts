import { withToken } from './api.js';

/** Thumbnails fetched at once: the browser has six connections to the server, and edits must never wait behind thumbnails. */
const AT_ONCE = 2;

/**
 * Track thumbnails, fetched at most AT_ONCE at a time, newest request first (the rows just scrolled
 * into view), skipping rows no longer on the page, and kept as blob URLs: the server sends no-store,
 * and the virtualized list builds its rows again on every scroll.
 */
export class Thumbnails {
  private readonly urls = new Map<string, string>();
  private readonly queue: { img: HTMLImageElement; key: string }[] = [];
  private active = 0;

  /** Shows track `id`'s thumbnail (of its best frame `frame`) in `img`, now or when its turn comes. */
  show(img: HTMLImageElement, id: number, frame: number): void {
    const key = `${id}:${frame}`;
    const url = this.urls.get(key);
    if (url) img.src = url;
    else {
      this.queue.push({ img, key });
      this.pump();
    }
  }

  private pump(): void {
    while (this.active < AT_ONCE && this.queue.length) {
      const { img, key } = this.queue.pop()!;
      if (!img.isConnected) continue;
      const [id, frame] = key.split(':');
      this.active++;
      void fetch(withToken('api/thumb', { id: id!, r: frame! }))
        .then(async (res) => {
          if (!res.ok) return;
          const url = URL.createObjectURL(await res.blob());
          this.urls.set(key, url);
          img.src = url;
        })
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }
}
