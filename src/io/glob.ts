import { join } from 'node:path';
import { globSync } from 'tinyglobby';

/** True when an argument holds a glob character (`*`, `?`, `[…]`, `{…}`), so it may be a pattern. */
export const hasGlobMagic = (s: string): boolean => /[*?[\]{}]/.test(s);

const windows = process.platform === 'win32';

/**
 * A pattern's base, the folders before its first glob character (`footage` for `footage/day{1,2}/a.mov`,
 * `.` for `*.jpg`, `/` for `/*.jpg`), and the rest of it. Matches are mirrored below the base in an
 * output folder, as a folder argument's files are below it.
 */
export function splitGlob(pattern: string): { base: string; rest: string } {
  // On Windows `\` separates folders; elsewhere it escapes a glob character, as in a shell.
  const parts = (windows ? pattern.replace(/\\/g, '/') : pattern).split('/');
  const first = Math.max(0, parts.findIndex(hasGlobMagic));
  return { base: parts.slice(0, first).join('/') || (first > 0 ? '/' : '.'), rest: parts.slice(first).join('/') };
}

/**
 * Expands a glob that the shell left alone (quoted, or on Windows) to the files it matches, sorted:
 * `*`, `?`, `[…]`, `[!…]`, `{a,b}` within a folder and `**` across folders, by tinyglobby (picomatch
 * syntax). Hidden files and folders match only when the pattern names them (a segment starting with
 * `.`); folders and symbolic links to folders are never returned nor followed, so `**` cannot loop.
 * A relative pattern gives paths relative to the working folder, an absolute one absolute paths.
 * Matching is case-sensitive except on Windows. A folder that cannot be read matches nothing.
 */
export function expandGlob(pattern: string): string[] {
  // The base is the crawl's root: tinyglobby then reads only below it (given an absolute pattern
  // instead, it was 30 times slower on a flat folder).
  const { base, rest } = splitGlob(pattern);
  const found = globSync(rest, {
    cwd: base,
    dot: false,
    onlyFiles: true,
    expandDirectories: false,
    followSymbolicLinks: false,
    caseSensitiveMatch: !windows,
  });
  return [...new Set(found.map((f) => join(base, f)))].sort();
}
