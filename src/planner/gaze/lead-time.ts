/**
 * How far the screen leads the body into turns, measured from a recorded series of
 * (time, body heading, pan angle). Pure; radians, seconds; headings in the map frame,
 * pan relative to base_link; the gaze direction in the map frame is heading + pan.
 *
 * Definitions (thresholds in `LeadTimeOptions`, defaults in brackets):
 *  - The heading is unwrapped into a continuous angle. A *turn* is a stretch over which
 *    it keeps moving one way: it ends when the heading comes back by more than
 *    `reversal` [5°] from its furthest point, or makes less than `stallAngle` [3°] of
 *    progress in `stallTime` [1 s] (the robot drives straight again). Its *initial
 *    heading* is the heading where it began, its *final heading* the furthest point.
 *    Only turns larger than `minTurn` [45°] are reported.
 *  - The body *starts turning* at t_body: the first time the heading is `bodyOnset` [10°]
 *    past the initial heading, toward the final one.
 *  - The screen *has turned toward the new direction* at t_gaze: the start of the last
 *    unbroken stretch, ending at or after t_body, during which the gaze direction is
 *    closer to the final heading than to the initial one (it has covered at least
 *    `gazeShare` [½] of the turn, measured from the initial heading). A glance that turns
 *    away again before the body turns does not count.
 *  - Lead time = t_body − t_gaze: positive when the screen faced the new direction before
 *    the body started turning; negative when it lagged. Null when the gaze never got there
 *    during the turn.
 *
 * Why half of the turn rather than the whole: the screen looks about a second ahead, at a
 * point on the trajectory; in a turn taken while driving that point swings round with the
 * chord of the bend, reaching the final heading only as the body does. "Facing more toward
 * where it is going than where it is facing" is what an onlooker reads as intent.
 */

export interface GazeSample {
  /** Seconds. */
  t: number;
  /** Body heading, map frame, rad. */
  heading: number;
  /** Screen pan relative to base_link, rad. */
  pan: number;
}

export interface LeadTimeOptions {
  /** Turns at least this large are measured, rad (45°). */
  minTurn: number;
  /** Heading change that marks the body starting to turn, rad (10°). */
  bodyOnset: number;
  /** Share of the turn the gaze must have covered, 0 … 1 (½). */
  gazeShare: number;
  /** Coming back this far from the furthest heading ends a turn, rad (5°). */
  reversal: number;
  /** Less progress than `stallAngle` rad within `stallTime` s ends a turn (3°, 1 s). */
  stallAngle: number;
  stallTime: number;
}

export const DEFAULT_LEAD_TIME_OPTIONS: LeadTimeOptions = {
  minTurn: Math.PI / 4,
  bodyOnset: (10 * Math.PI) / 180,
  gazeShare: 0.5,
  reversal: (5 * Math.PI) / 180,
  stallAngle: (3 * Math.PI) / 180,
  stallTime: 1.0,
};

export interface TurnLead {
  /** Signed turn, final − initial heading, rad (positive: left). */
  turn: number;
  initialHeading: number;
  finalHeading: number;
  /** Time the turn began (heading left its plateau) and ended, s. */
  startTime: number;
  endTime: number;
  /** Body started turning (bodyOnset past the initial heading), s. */
  bodyTurnTime: number;
  /** Gaze faced the new direction (see the definitions), s; null if never. */
  gazeTurnTime: number | null;
  /** bodyTurnTime − gazeTurnTime, s; null if the gaze never got there. */
  leadTime: number | null;
}

/** One entry per body turn larger than `minTurn`, in time order. Samples must be time-ordered. */
export function gazeLeadTimes(log: readonly GazeSample[], options: Partial<LeadTimeOptions> = {}): TurnLead[] {
  const o = { ...DEFAULT_LEAD_TIME_OPTIONS, ...options };
  const n = log.length;
  if (n < 2) return [];
  // Continuous heading and gaze direction (gaze unwrapped against the heading).
  const psi = new Float64Array(n);
  const gaze = new Float64Array(n);
  psi[0] = log[0]!.heading;
  for (let i = 1; i < n; i++) psi[i] = psi[i - 1]! + wrap(log[i]!.heading - log[i - 1]!.heading);
  for (let i = 0; i < n; i++) gaze[i] = psi[i]! + wrap(log[i]!.pan);

  const turns: { a: number; e: number }[] = [];
  let a = 0; // where the current run started
  let e = 0; // furthest point of the current run
  let dir = 0; // +1 left, −1 right, 0 not yet decided
  let stallRef = 0; // the sample `stallTime` back, where the stall test measures progress from
  for (let i = 1; i < n; i++) {
    if (dir === 0) {
      const d = psi[i]! - psi[a]!;
      if (Math.abs(d) > o.reversal) {
        dir = Math.sign(d);
        e = i;
        stallRef = i;
      } else if (log[i]!.t - log[a]!.t > o.stallTime) {
        a = i; // still steady: the run begins later
      }
      continue;
    }
    if (dir * (psi[i]! - psi[e]!) > 0) e = i;
    // Progress over the last `stallTime` (measured only within this run).
    while (stallRef < i && log[i]!.t - log[stallRef + 1]!.t >= o.stallTime) stallRef++;
    const reversed = dir * (psi[e]! - psi[i]!) > o.reversal;
    const stalled = log[i]!.t - log[stallRef]!.t >= o.stallTime && dir * (psi[i]! - psi[stallRef]!) < o.stallAngle;
    if (reversed || stalled) {
      turns.push({ a, e });
      a = e;
      dir = 0;
      // Re-examine from the turn's end.
      i = e;
    }
  }
  if (dir !== 0) turns.push({ a, e });

  const out: TurnLead[] = [];
  let searchFrom = 0;
  for (const { a: start, e: end } of turns) {
    const turn = psi[end]! - psi[start]!;
    if (Math.abs(turn) < o.minTurn) {
      searchFrom = end;
      continue;
    }
    const s = Math.sign(turn);
    const initial = psi[start]!;
    let body = start;
    while (body < end && s * (psi[body]! - initial) < o.bodyOnset) body++;
    const faced = (i: number) => s * (gaze[i]! - initial) >= o.gazeShare * Math.abs(turn);
    let gazeIndex: number | null = null;
    if (faced(body)) {
      let i = body;
      while (i > searchFrom && faced(i - 1)) i--;
      gazeIndex = i;
    } else {
      for (let i = body + 1; i <= end; i++) {
        if (faced(i)) {
          gazeIndex = i;
          break;
        }
      }
    }
    const bodyTurnTime = log[body]!.t;
    const gazeTurnTime = gazeIndex === null ? null : log[gazeIndex]!.t;
    out.push({
      turn,
      initialHeading: wrap(initial),
      finalHeading: wrap(psi[end]!),
      startTime: log[start]!.t,
      endTime: log[end]!.t,
      bodyTurnTime,
      gazeTurnTime,
      leadTime: gazeTurnTime === null ? null : bodyTurnTime - gazeTurnTime,
    });
    searchFrom = end;
  }
  return out;
}

/** Angle to (−π, π]. */
function wrap(a: number): number {
  const twoPi = 2 * Math.PI;
  let r = a % twoPi;
  if (r <= -Math.PI) r += twoPi;
  else if (r > Math.PI) r -= twoPi;
  return r;
}

/** Lead times over a run's turns, for reports. Seconds. */
export interface LeadTimeSummary {
  /** Turns larger than `minTurn`. */
  turns: number;
  /** Turns during which the gaze never faced the new direction (no lead time). */
  missed: number;
  /** Smallest and median lead time over the turns that have one, s; null when none has. */
  min: number | null;
  median: number | null;
}

export function summarizeLeadTimes(turns: readonly TurnLead[]): LeadTimeSummary {
  const leads = turns.flatMap((t) => (t.leadTime === null ? [] : [t.leadTime])).sort((a, b) => a - b);
  const n = leads.length;
  return {
    turns: turns.length,
    missed: turns.length - n,
    min: n > 0 ? leads[0]! : null,
    median: n === 0 ? null : n % 2 === 1 ? leads[n >> 1]! : (leads[n / 2 - 1]! + leads[n / 2]!) / 2,
  };
}
