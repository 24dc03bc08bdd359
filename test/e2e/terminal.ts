import { execFileSync } from 'node:child_process';
import { CLI, MODEL_DIR } from '../helpers.js';

/**
 * The built CLI in a real terminal: a detached tmux session of the given size, whose screen is read
 * back as text, as a user would see it (cursor moves and line clears already applied). Each
 * terminal has its own tmux server socket, so tests never meet another tmux.
 */
export class Terminal {
  private readonly socket = `faceblur-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** `args` are quoted for the shell; `redirect` is appended as is (e.g. `2>err.txt`). */
  constructor(args: string[], opts: { cwd: string; columns?: number; rows?: number; redirect?: string; env?: Record<string, string> }) {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const env = Object.entries({ FACEBLUR_MODEL_DIR: MODEL_DIR, ...opts.env }).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    const command = `cd ${quote(opts.cwd)} && ${env} ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')} ${opts.redirect ?? ''}; echo EXIT=$?; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(opts.columns ?? 90), '-y', String(opts.rows ?? 24), command);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** The screen's non-empty lines, trailing spaces removed. */
  lines(): string[] {
    return this.tmux('capture-pane', '-p').split('\n').map((l) => l.trimEnd()).filter(Boolean);
  }

  /** Polls the screen until `seen` holds for it; throws with the screen after `timeoutMs`. */
  async waitFor(seen: (lines: string[]) => boolean, timeoutMs = 100_000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.lines();
      if (seen(lines)) return lines;
      if (Date.now() > end) throw new Error(`timed out; the screen shows:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The exit code once the CLI has ended, with the final screen. */
  async exit(timeoutMs?: number): Promise<{ code: number; lines: string[] }> {
    const lines = await this.waitFor((l) => l.some((x) => /^EXIT=\d+$/.test(x)), timeoutMs);
    return { code: Number(lines.find((x) => x.startsWith('EXIT='))!.slice(5)), lines: lines.filter((x) => !x.startsWith('EXIT=')) };
  }

  /** Ctrl+C as typed: the terminal sends SIGINT to the foreground process group. */
  interrupt(): void {
    this.tmux('send-keys', 'C-c');
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
