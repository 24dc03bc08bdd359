/**
 * A length of video as the server's messages and its page write it: `5400` → `1.5 h`, `90` →
 * `1.5 min`, `3` → `3 s`. No imports, so that the page's bundle shares it (web/serve/main.ts).
 */
export const formatSeconds = (s: number): string => (s >= 3600 ? `${+(s / 3600).toFixed(2)} h` : s >= 60 ? `${+(s / 60).toFixed(1)} min` : `${+s.toFixed(1)} s`);
