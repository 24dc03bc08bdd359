import { readdirSync, type Dirent } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

/**
 * Expands a glob that the shell left alone (quoted, or on Windows): `*`, `?`, `[…]`, `{a,b}` within
 * one path segment and `**` across segments. Hidden files match only when the pattern names them.
 */
export const hasGlobMagic = (s: string): boolean => /[*?[\]{}]/.test(s);

export function segmentToRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = segment.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${segment.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`, process.platform === 'win32' ? 'i' : '');
}

const escape = (s: string): string => s.replace(/[.+^$()|\\/]/g, '\\$&');

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function expandGlob(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  const absolute = isAbsolute(pattern);
  const firstMagic = parts.findIndex(hasGlobMagic);
  const baseParts = parts.slice(0, firstMagic);
  const base = absolute ? sep + join(...baseParts) : baseParts.length > 0 ? join(...baseParts) : '.';
  const out: string[] = [];
  const walk = (dir: string, rest: string[]): void => {
    if (rest.length === 0) return;
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '**') {
      walk(dir, tail);
      for (const e of entries(dir)) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name), rest);
      return;
    }
    const re = segmentToRegExp(head);
    for (const e of entries(dir)) {
      if (e.name.startsWith('.') && !head.startsWith('.')) continue;
      if (!re.test(e.name)) continue;
      const path = dir === '.' && !absolute ? e.name : join(dir, e.name);
      if (tail.length === 0) {
        if (e.isFile()) out.push(path);
      } else if (e.isDirectory()) walk(path, tail);
    }
  };
  walk(base, parts.slice(firstMagic));
  return [...new Set(out)].sort();
}
