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
  private readonly loading = new Set<string>();
  private active = 0;

  /** Shows track `id`'s thumbnail (of its best frame `frame`) in `img`, now or when its turn comes. */
  show(img: HTMLImageElement, id: number, frame: number): void {
    const key = `${id}:${frame}`;
    img.dataset.thumb = key;
    const url = this.urls.get(key);
    if (url) img.src = url;
    else {
      this.queue.push({ img, key });
      // After the row it belongs to is on the page (rows are built, then put in).
      setTimeout(() => this.pump());
    }
  }

  private pump(): void {
    while (this.active < AT_ONCE && this.queue.length) {
      const { img, key } = this.queue.pop()!;
      if (!img.isConnected || this.urls.has(key) || this.loading.has(key)) continue;
      this.loading.add(key);
      const [id, frame] = key.split(':');
      this.active++;
      void fetch(withToken('api/thumb', { id: id!, r: frame! }))
        .then(async (res) => {
          if (!res.ok) return;
          const url = URL.createObjectURL(await res.blob());
          this.urls.set(key, url);
          // The row may have been built again meanwhile: every image of this thumbnail on the page.
          for (const shown of document.querySelectorAll<HTMLImageElement>(`img[data-thumb="${key}"]`)) shown.src = url;
        })
        .catch(() => undefined)
        .finally(() => {
          this.loading.delete(key);
          this.active--;
          this.pump();
        });
    }
  }
}
