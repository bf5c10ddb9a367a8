/**
 * When to restart a crashed server: at most `max` restarts within a sliding window.
 * Free of the `vscode` module (unit-tested).
 */

/** The default window: 3 minutes. */
export const RESTART_WINDOW_MS = 3 * 60 * 1000;

/** Counts crashes and says whether one more restart is allowed. */
export class RestartPolicy {
  private crashes: number[] = [];

  /** `max()` is read at each crash so a changed setting applies at once. */
  constructor(
    private readonly max: () => number,
    private readonly windowMs: number = RESTART_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; true when the server may be restarted once more. */
  crashed(): boolean {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.windowMs);
    this.crashes.push(t);
    return this.crashes.length <= Math.max(0, this.max());
  }

  /** Crashes within the window (for messages). */
  get recentCrashes(): number {
    return this.crashes.length;
  }

  /** Forgets the crashes (after a restart the user asked for). */
  reset(): void {
    this.crashes = [];
  }
}
