/**
 * NTP-style round-trip and clock-offset estimation from Ping/Pong exchanges.
 *
 *   t0 host sends Ping (host clock)        t1 robot receives it (robot clock)
 *   t2 robot sends Pong (robot clock)      t3 host receives Pong (host clock)
 *
 *   rtt    = (t3 − t0) − (t2 − t1)          time on the wire, robot processing excluded
 *   offset = ((t1 − t0) + (t2 − t3)) / 2    robot clock − host clock
 *
 * The estimate is the median of recent samples, so one delayed Pong does not move it. A
 * robot clock that jumps (reset, overflow, resync) is detected when several consecutive
 * samples disagree with the estimate by far more than the round trip explains; the window
 * then restarts from the new samples instead of averaging across the jump.
 */

export interface ClockSample {
  /** Round trip, ms. */
  rttMs: number;
  /** Robot clock minus host clock, ms. */
  offsetMs: number;
}

export interface ClockJump {
  /** Estimate before and after the jump, ms (robot − host). */
  fromOffsetMs: number;
  toOffsetMs: number;
}

export interface ClockSyncOptions {
  /** Samples kept for the median. Default 9. */
  window?: number;
  /** A sample this far from the estimate (beyond its own RTT), ms, counts as disagreeing. Default 50. */
  jumpThresholdMs?: number;
  /** Consecutive disagreeing samples that declare a jump. Default 3. */
  jumpConfirmSamples?: number;
}

export class ClockSync {
  private readonly window: number;
  private readonly jumpThresholdMs: number;
  private readonly jumpConfirmSamples: number;
  private samples: ClockSample[] = [];
  private disagreeing: ClockSample[] = [];

  constructor(options: ClockSyncOptions = {}) {
    this.window = options.window ?? 9;
    this.jumpThresholdMs = options.jumpThresholdMs ?? 50;
    this.jumpConfirmSamples = options.jumpConfirmSamples ?? 3;
  }

  /**
   * Adds one exchange; all times in µs on the clocks named above. Returns the jump when this
   * sample confirmed one, else null. Samples with a negative round trip are impossible and dropped.
   */
  addExchange(t0HostUs: number, t1RobotUs: number, t2RobotUs: number, t3HostUs: number): ClockJump | null {
    const rttMs = ((t3HostUs - t0HostUs) - (t2RobotUs - t1RobotUs)) / 1000;
    const offsetMs = ((t1RobotUs - t0HostUs) + (t2RobotUs - t3HostUs)) / 2000;
    if (!Number.isFinite(rttMs) || !Number.isFinite(offsetMs) || rttMs < -1) return null;
    return this.add({ rttMs: Math.max(0, rttMs), offsetMs });
  }

  add(sample: ClockSample): ClockJump | null {
    const current = this.offsetMs;
    // A sample's offset is off by up to half its own round trip (lopsided delays), and so is
    // the estimate by half of its samples' typical round trip: both widen what counts as a jump,
    // so a late Pong on a loaded machine is not read as the robot's clock stepping.
    if (current !== null && Math.abs(sample.offsetMs - current) > this.jumpThresholdMs + sample.rttMs + (this.rttMs ?? 0)) {
      this.disagreeing.push(sample);
      if (this.disagreeing.length < this.jumpConfirmSamples) return null;
      this.samples = this.disagreeing;
      this.disagreeing = [];
      return { fromOffsetMs: current, toOffsetMs: this.offsetMs! };
    }
    this.disagreeing = [];
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    return null;
  }

  /** Median round trip, ms; null before the first sample. */
  get rttMs(): number | null {
    return median(this.samples.map((s) => s.rttMs));
  }

  /** Median robot-minus-host offset, ms; null before the first sample. */
  get offsetMs(): number | null {
    return median(this.samples.map((s) => s.offsetMs));
  }

  get sampleCount(): number {
    return this.samples.length;
  }

  reset(): void {
    this.samples = [];
    this.disagreeing = [];
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
