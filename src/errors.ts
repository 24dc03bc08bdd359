import { constants as osConstants } from 'node:os';
/**
 * Errors the user can act on. The CLI prints their message as one line (no stack trace unless
 * --verbose) and exits with `exitCode`: 2 for usage and setup problems, 1 for a failed input.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bad command line or missing setup: nothing was processed. */
export const usageError = (message: string): UserError => new UserError(message, 2);

/** Thrown when the run is interrupted by a signal, so that batches stop instead of going on. */
/**
 * The signals that stop a run the orderly way (children ended, partial files removed): Ctrl+C,
 * a supervisor's SIGTERM, and SIGHUP from a closed terminal, which left a review's copy of the
 * original frames and a render's partial file behind (a new-user trial).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The shell's exit status for a run ended by `signal`: 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export const signalExitCode = (signal: string): number => 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 2);

export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
