import { existsSync } from 'node:fs';

/** Levenshtein distance with adjacent transpositions (optimal string alignment), so "cma" is 1 from "cam". */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * For an input that names no file and looks like a mistyped subcommand (`faceblur cma`), the error
 * that suggests the command; undefined otherwise. A path, a name with an extension or a glob is
 * taken as meant for a file. `commands`: the CLI's subcommands (from commander, so that a new one is
 * never missing: `faceblur anaylze clip.mp4` once anonymized clip.mp4 before it failed).
 */
export function mistypedCommand(input: string, commands: readonly string[]): string | undefined {
  if (existsSync(input) || /[./\\*?[{]/.test(input)) return undefined;
  const near = commands.find((c) => editDistance(input.toLowerCase(), c) <= (c.length > 3 ? 2 : 1));
  return near && `no such file or folder '${input}'; did you mean 'faceblur ${near}'?`;
}
