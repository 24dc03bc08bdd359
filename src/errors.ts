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
export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
