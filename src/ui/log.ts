/** stderr logging with the CLI's verbosity; stdout is kept for results. */
export interface Log {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  verbose(line: string): void;
  /** Colours only on a TTY and when NO_COLOR is unset. */
  readonly color: boolean;
  readonly tty: boolean;
  readonly quiet: boolean;
}

export function createLog(opts: { quiet: boolean; verbose: boolean }, stream: NodeJS.WriteStream = process.stderr, env = process.env): Log {
  // FACEBLUR_PROGRESS=1: progress lines even into a pipe, for a parent that reads them (faceblur review's export and analyze).
  const tty = Boolean(stream.isTTY) || env.FACEBLUR_PROGRESS === '1';
  const color = tty && !env.NO_COLOR;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const write = (s: string) => stream.write(`${s}\n`);
  return {
    info: (l) => {
      if (!opts.quiet) write(l);
    },
    warn: (l) => write(paint('33', `warning: ${l}`)),
    error: (l) => write(paint('31', `error: ${l}`)),
    verbose: (l) => {
      if (opts.verbose) write(paint('2', l));
    },
    color,
    tty,
    quiet: opts.quiet,
  };
}
