/**
 * Relation-based SLAM accuracy (Kümmerle et al., "On measuring the accuracy of SLAM
 * algorithms", Autonomous Robots 27(4), 2009).
 *
 * A relations file has one line per reference relation: `t1 t2 x y z roll pitch yaw`, where
 * t1, t2 are laser ipc_timestamps (matched as exact strings) and (x, y, yaw) (m, m, rad) is
 * the true pose at t2 in the robot frame at t1 (z, roll, pitch are 0 in 2D).
 *
 * For each relation: δ̂ = x̂ᵢ⁻¹ ⊕ x̂ⱼ from the estimate, e = δ⁻¹ ⊕ δ̂; translational error
 * ‖e_xy‖ (m), rotational |e_yaw| (reported in degrees). Reported: mean ± standard deviation
 * (population, divide by n) of both and of their squares, plus the median translational
 * error. Only relative poses enter: no alignment.
 */
import type { Pose2D } from '../../../shared/geometry';
import { normalizeAngle } from '../../../shared/geometry';

export interface Relation {
  /** 1-based line in the file. */
  line: number;
  t1: string;
  t2: string;
  /** Reference pose at t2 in the frame of t1. */
  delta: Pose2D;
}

export class RelationsError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Parses a relations file; throws RelationsError naming the line on a malformed one. */
export function parseRelations(text: string): Relation[] {
  const out: Relation[] = [];
  const lines = text.split(/\r?\n/);
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    const f = t.split(/\s+/);
    if (f.length !== 8) throw new RelationsError(k + 1, `expected 8 fields 't1 t2 x y z roll pitch yaw', got ${f.length}`);
    const v = f.map(Number);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RelationsError(k + 1, `field ${bad + 1} is not a number: '${f[bad]}'`);
    out.push({ line: k + 1, t1: f[0]!, t2: f[1]!, delta: { x: v[2]!, y: v[3]!, theta: normalizeAngle(v[7]!) } });
  }
  if (out.length === 0) throw new RelationsError(lines.length, 'no relations in the file');
  return out;
}

/** Mean and population standard deviation. */
export interface MeanStd {
  mean: number;
  std: number;
}

export interface RelationErrors {
  /** Relations evaluated. */
  count: number;
  /** |translational error|, m. */
  translational: MeanStd & { median: number };
  /** |rotational error|, degrees. */
  rotational: MeanStd;
  /** Squared errors, m² and deg². */
  translationalSq: MeanStd;
  rotationalSq: MeanStd;
  /** Per-relation errors in file order (m, deg), for plots and outlier hunting. */
  perRelation: { trans: Float64Array; rotDeg: Float64Array };
}

/** Error of one relation: e = δ⁻¹ ⊕ (x̂ᵢ⁻¹ ⊕ x̂ⱼ). Returns [translation m, |yaw| rad]. */
export function relationError(estimateI: Pose2D, estimateJ: Pose2D, delta: Pose2D): { trans: number; rot: number } {
  // δ̂ = x̂ᵢ⁻¹ ⊕ x̂ⱼ
  const ci = Math.cos(estimateI.theta);
  const si = Math.sin(estimateI.theta);
  const dx = estimateJ.x - estimateI.x;
  const dy = estimateJ.y - estimateI.y;
  const hx = ci * dx + si * dy;
  const hy = -si * dx + ci * dy;
  const ht = estimateJ.theta - estimateI.theta;
  // e = δ⁻¹ ⊕ δ̂
  const cd = Math.cos(delta.theta);
  const sd = Math.sin(delta.theta);
  const ex = cd * (hx - delta.x) + sd * (hy - delta.y);
  const ey = -sd * (hx - delta.x) + cd * (hy - delta.y);
  const et = normalizeAngle(ht - delta.theta);
  return { trans: Math.hypot(ex, ey), rot: Math.abs(et) };
}

function meanStd(xs: Float64Array): MeanStd {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let v = 0;
  for (const x of xs) v += (x - mean) * (x - mean);
  return { mean, std: Math.sqrt(v / n) };
}

/**
 * Evaluates `relations` against estimated poses looked up by exact timestamp text. Throws
 * when a relation names a timestamp with no estimate (the metric needs a pose at every one).
 */
export function evaluateRelations(relations: readonly Relation[], poseAt: ReadonlyMap<string, Pose2D>): RelationErrors {
  const n = relations.length;
  const trans = new Float64Array(n);
  const rotDeg = new Float64Array(n);
  const missing: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = relations[k]!;
    const a = poseAt.get(r.t1);
    const b = poseAt.get(r.t2);
    if (!a || !b) {
      if (missing.length < 3) missing.push(`line ${r.line}: ${!a ? r.t1 : r.t2}`);
      continue;
    }
    const e = relationError(a, b, r.delta);
    trans[k] = e.trans;
    rotDeg[k] = (e.rot * 180) / Math.PI;
  }
  if (missing.length > 0) throw new Error(`relations name timestamps with no scan in the log (${missing.join('; ')})`);
  const sorted = Float64Array.from(trans).sort();
  const median = n === 0 ? Number.NaN : n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    count: n,
    translational: { ...meanStd(trans), median },
    rotational: meanStd(rotDeg),
    translationalSq: meanStd(trans.map((x) => x * x)),
    rotationalSq: meanStd(rotDeg.map((x) => x * x)),
    perRelation: { trans, rotDeg },
  };
}
