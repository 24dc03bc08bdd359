/** stderr logging with the CLI's verbosity; stdout is kept for results. */
export interface Log {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  verbose(line: string): void;
  /** Colours only on a TTY and when NO_COLOR is unset. */
  readonly color: boolean;
  readonly quiet: boolean;
}

/**
 * `around` wraps every write: the progress display passes its `above`, so that a message printed
 * while bars are drawn lands above them instead of inside one.
 */
export function createLog(
  opts: { quiet: boolean; verbose: boolean; around?: (write: () => void) => void },
  stream: NodeJS.WriteStream = process.stderr,
  env = process.env,
): Log {
  const tty = Boolean(stream.isTTY);
  const color = tty && !env.NO_COLOR;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const around = opts.around ?? ((w: () => void) => w());
  const write = (s: string) => around(() => stream.write(`${s}\n`));
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
    quiet: opts.quiet,
  };
}
