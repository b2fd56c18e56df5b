/**
 * Scoring detection and tracking against ground truth (for instance the simulator's
 * people), CLEAR-MOT style. Pure function over plain per-frame arrays.
 *
 * Per frame, estimates and truth are matched one-to-one by minimum total distance
 * (Hungarian) within `matchRadius`. A matched pair is a true positive (its distance
 * counts toward the position error), an unmatched estimate a false positive, an
 * unmatched true person a miss. An identity switch is counted when a true person is
 * matched to a different estimate id than at its previous match (estimates without ids,
 * i.e. plain detections, never switch). Truth marked `ignore` takes part in the matching
 * (so an estimate on a hidden person is not called a false positive) but is not counted.
 */
import { assignMinCost } from './assignment';

export interface ScoredPoint {
  /** Estimate or truth id; optional for plain detections. */
  id?: number;
  /** Map frame, metres. */
  x: number;
  y: number;
  /**
   * Truth only: a "don't care" person (e.g. not visible to the sensor this frame). Matching
   * one is neither a true nor a false positive; missing one is not a miss.
   */
  ignore?: boolean;
}

export interface ScoringFrame {
  truth: readonly ScoredPoint[];
  estimates: readonly ScoredPoint[];
  /** Robot position this frame (map frame, metres), for the `maxRange` filter. */
  robot?: { x: number; y: number };
}

export interface ScoringOptions {
  /** Largest distance at which an estimate can match a true person, metres (0.5). */
  matchRadius?: number;
  /**
   * Only truth and estimates within this distance of the frame's `robot` count, metres
   * (Infinity; frames without `robot` are not filtered).
   */
  maxRange?: number;
}

export interface PeopleScore {
  truePositives: number;
  falsePositives: number;
  misses: number;
  /** TP / (TP + FP); 1 when nothing was estimated. */
  precision: number;
  /** TP / (TP + misses); 1 when there was nothing to find. */
  recall: number;
  identitySwitches: number;
  /** Mean distance of matched pairs, metres (0 with no matches). */
  meanPositionError: number;
  /** Root-mean-square distance of matched pairs, metres. */
  rmsPositionError: number;
}

export function scorePeople(frames: readonly ScoringFrame[], options: ScoringOptions = {}): PeopleScore {
  const matchRadius = options.matchRadius ?? 0.5;
  const maxRange = options.maxRange ?? Infinity;
  let tp = 0;
  let fp = 0;
  let misses = 0;
  let switches = 0;
  let errorSum = 0;
  let errorSq = 0;
  const lastMatch = new Map<number, number>(); // truth id → estimate id
  for (const frame of frames) {
    const inRange = (p: ScoredPoint) => !frame.robot || Math.hypot(p.x - frame.robot.x, p.y - frame.robot.y) <= maxRange;
    const truth = frame.truth.filter(inRange);
    const estimates = frame.estimates.filter(inRange);
    const cost = truth.map((t) =>
      estimates.map((e) => {
        const d = Math.hypot(t.x - e.x, t.y - e.y);
        return d <= matchRadius ? d : Infinity;
      }),
    );
    const assignment = assignMinCost(cost, estimates.length);
    let matched = 0;
    let matchedIgnored = 0;
    truth.forEach((t, i) => {
      const j = assignment[i];
      if (j < 0) {
        if (!t.ignore) misses++;
        return;
      }
      if (t.ignore) {
        matchedIgnored++;
        return;
      }
      matched++;
      const d = cost[i][j];
      errorSum += d;
      errorSq += d * d;
      const e = estimates[j];
      if (t.id !== undefined && e.id !== undefined) {
        const previous = lastMatch.get(t.id);
        if (previous !== undefined && previous !== e.id) switches++;
        lastMatch.set(t.id, e.id);
      }
    });
    tp += matched;
    fp += estimates.length - matched - matchedIgnored;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    misses,
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: tp + misses > 0 ? tp / (tp + misses) : 1,
    identitySwitches: switches,
    meanPositionError: tp > 0 ? errorSum / tp : 0,
    rmsPositionError: tp > 0 ? Math.sqrt(errorSq / tp) : 0,
  };
}
