/**
 * "No data from the robot for 500 ms", judged fairly: silence counts only while the console
 * itself was running. Bytes the robot sent while the console's event loop was blocked (a long
 * synchronous task, a garbage collection, the process descheduled on a loaded machine) wait
 * in the operating system's buffer and are read as soon as the loop runs again: that is late
 * reading, not a silent robot. A periodic check that runs much later than its period is the
 * measure of such a stall; the stall is left out of the silence until the next valid frame.
 *
 * A genuinely silent robot is still declared lost on time while the console runs normally
 * (checks on time: nothing is left out), and at worst later by the console's own stalls.
 *
 * Times in ms on one monotonic host clock.
 */
export class SilenceWatch {
  private lastHeardMs = 0;
  private lastCheckMs = 0;
  /** Console stalls since the last valid frame, ms. */
  private stalledMs = 0;

  /**
   * @param periodMs how often check() is called
   * @param stallAfterMs a gap between checks longer than this is a console stall (the part
   *   beyond periodMs is left out of the silence); shorter gaps are timer jitter and count
   */
  constructor(
    private readonly periodMs: number,
    private readonly stallAfterMs: number,
  ) {}

  /** Starts counting afresh (a new session): silent since nowMs. */
  reset(nowMs: number): void {
    this.lastHeardMs = nowMs;
    this.lastCheckMs = nowMs;
    this.stalledMs = 0;
  }

  /** A valid frame was read at nowMs. */
  heard(nowMs: number): void {
    this.lastHeardMs = nowMs;
    this.stalledMs = 0;
  }

  /**
   * The periodic check, at nowMs. Returns the silence while the console was running (compare
   * it with the timeout), the wall time since the last frame and the part of it the console
   * was stalled, ms.
   */
  check(nowMs: number): { silentMs: number; wallMs: number; stalledMs: number } {
    const gap = nowMs - this.lastCheckMs;
    this.lastCheckMs = nowMs;
    if (gap > this.stallAfterMs) this.stalledMs += gap - this.periodMs;
    const wallMs = nowMs - this.lastHeardMs;
    // A stall that began before the last frame was read cannot hide it: cap at the wall time.
    const stalledMs = Math.min(this.stalledMs, wallMs);
    return { silentMs: wallMs - stalledMs, wallMs, stalledMs };
  }
}

/** "no data from the robot for 612 ms (the console itself was stalled 480 ms of them)". */
export function describeSilence(what: string, s: { wallMs: number; stalledMs: number }): string {
  const stalled = s.stalledMs >= 1 ? ` (the console itself was stalled ${Math.round(s.stalledMs)} ms of them)` : '';
  return `no data from ${what} for ${Math.round(s.wallMs)} ms${stalled}`;
}
