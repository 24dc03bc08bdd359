/**
 * A length of video as the server's messages and its page write it: `5400` → `1.5 h`, `90` →
 * `1.5 min`, `3` → `3 s`. No imports, so that the page's bundle shares it (web/serve/main.ts).
 */
export const formatSeconds = (s: number): string => (s >= 3600 ? `${+(s / 3600).toFixed(2)} h` : s >= 60 ? `${+(s / 60).toFixed(1)} min` : `${+s.toFixed(1)} s`);

/**
 * A time setting (such as --retention) in the largest unit that divides it exactly: `86400` → `24 h`,
 * `5400` → `90 min`, `8` → `8 s`; days only past 48 h (`604800` → `7 d`), since "1 d" reads worse than "24 h".
 */
export function readableSeconds(seconds: number): string {
  if (seconds % 86400 === 0 && seconds > 172800) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
