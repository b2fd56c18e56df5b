/**
 * People detection from one 2-D scan and the static map.
 *
 * Input points are scan returns already transformed into the map frame (metres); the
 * robot pose (map frame) gives each point's range and bearing. Steps:
 *  1. Keep points the static map does not explain: farther than `staticClearance` from
 *     the nearest static obstacle, and within `maxRange`.
 *  2. Order by bearing and split into clusters where consecutive points are farther apart
 *     than an adaptive gap, `clusterGap + range · clusterGapPerMetre` (beam spacing grows
 *     with range, so a fixed gap would shatter far objects and merge near ones).
 *  3. Classify by extent (largest distance between the cluster's points): leg-sized
 *     clusters (`legExtent`) are paired when their centres are within `legPairDistance`
 *     (a leg pair, the most reliable cue); body-sized clusters (`bodyExtent`, e.g. a torso
 *     at leg height under a skirt or a coat, or two legs merged) stand alone; an unpaired
 *     leg is reported with low confidence (the other leg is often occluded). Clusters
 *     outside 0.05–0.8 m are not people.
 */
import type { Pose2D } from '../../shared/geometry';

/** Distance to the nearest static obstacle (the planner grid's distance field fits). */
export interface StaticDistance {
  /** Distance from map-frame (x, y) to the nearest static obstacle, metres. */
  distanceAt(x: number, y: number): number;
}

/** Scan returns in the map frame, metres (parallel arrays). */
export interface MapPoints {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

export type DetectionKind = 'leg-pair' | 'body' | 'single-leg';

export interface PersonDetection {
  /** Estimated person centre, map frame, metres. */
  x: number;
  y: number;
  /** 0 … 1: how much this looks like a person. */
  confidence: number;
  kind: DetectionKind;
  /** Extent of the evidence (cluster or leg pair), metres. */
  extent: number;
  /** Scan points supporting the detection. */
  pointCount: number;
}

export interface DetectorConfig {
  /** Points closer than this to a static obstacle are explained by the map, metres. */
  staticClearance: number;
  /** Points farther than this from the robot are ignored, metres. */
  maxRange: number;
  /** Cluster split distance at zero range, metres. */
  clusterGap: number;
  /** Growth of the split distance with range, metres per metre. */
  clusterGapPerMetre: number;
  /** Clusters with fewer points are ignored (noise). */
  minPoints: number;
  /** Extent range of one leg, metres. */
  legExtent: [number, number];
  /** Extent range of a body-sized cluster, metres. */
  bodyExtent: [number, number];
  /** Largest distance between two leg centres of one person, metres. */
  legPairDistance: number;
  /**
   * Angle between neighbouring beams of the scanner, radians. A far leg spans only one or
   * two beams: it tells how many returns, and how wide a cluster, a leg can give at a range.
   */
  beamIncrement: number;
  /** Typical leg (shin) radius, metres: sizes the expected return count and the centre correction. */
  legRadius: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  staticClearance: 0.15,
  maxRange: 8,
  clusterGap: 0.06,
  clusterGapPerMetre: 0.015,
  minPoints: 2,
  legExtent: [0.05, 0.25],
  bodyExtent: [0.25, 0.8],
  legPairDistance: 0.5,
  beamIncrement: (2 * Math.PI) / 360,
  legRadius: 0.06,
};

interface Cluster {
  x: number;
  y: number;
  extent: number;
  count: number;
  /** Range of the centroid from the robot, metres. */
  range: number;
}

/** People candidates in one scan. `staticMap` null means no map: every point is unexplained. */
export function detectPeople(
  points: MapPoints,
  robot: Pose2D,
  staticMap: StaticDistance | null,
  config: Partial<DetectorConfig> = {},
): PersonDetection[] {
  const cfg = { ...DEFAULT_DETECTOR_CONFIG, ...config };
  // 1. Unexplained points, with range and bearing from the robot.
  const kept: { x: number; y: number; range: number; bearing: number }[] = [];
  for (let i = 0; i < points.xs.length; i++) {
    const x = points.xs[i];
    const y = points.ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const dx = x - robot.x;
    const dy = y - robot.y;
    const range = Math.sqrt(dx * dx + dy * dy);
    if (range > cfg.maxRange) continue;
    if (staticMap && staticMap.distanceAt(x, y) <= cfg.staticClearance) continue;
    kept.push({ x, y, range, bearing: Math.atan2(dy, dx) });
  }
  if (kept.length === 0) return [];
  kept.sort((a, b) => a.bearing - b.bearing);
  // 2. Jump-distance segmentation with an adaptive gap.
  const groups: (typeof kept)[] = [[kept[0]]];
  for (let i = 1; i < kept.length; i++) {
    const prev = kept[i - 1];
    const cur = kept[i];
    const gap = cfg.clusterGap + Math.min(prev.range, cur.range) * cfg.clusterGapPerMetre;
    if (Math.hypot(cur.x - prev.x, cur.y - prev.y) <= gap) groups[groups.length - 1].push(cur);
    else groups.push([cur]);
  }
  // The scan wraps at ±π: join the last and first groups if they touch.
  if (groups.length > 1) {
    const first = groups[0][0];
    const lastGroup = groups[groups.length - 1];
    const last = lastGroup[lastGroup.length - 1];
    const gap = cfg.clusterGap + Math.min(first.range, last.range) * cfg.clusterGapPerMetre;
    if (Math.hypot(first.x - last.x, first.y - last.y) <= gap) groups[0] = [...(groups.pop() ?? []), ...groups[0]];
  }
  const clusters: Cluster[] = [];
  for (const g of groups) {
    let sx = 0;
    let sy = 0;
    for (const p of g) {
      sx += p.x;
      sy += p.y;
    }
    const range = Math.hypot(sx / g.length - robot.x, sy / g.length - robot.y);
    // Far away a leg spans fewer beams than `minPoints`: there, ask only for half the
    // returns a leg would give (at least one), or far legs could never be seen.
    const expectedLegReturns = (2 * cfg.legRadius) / (Math.max(range, 1e-3) * cfg.beamIncrement);
    const needed = Math.max(1, Math.min(cfg.minPoints, Math.floor(expectedLegReturns / 2)));
    if (g.length < needed) continue;
    let extent = 0;
    for (let i = 0; i < g.length; i++) {
      for (let j = i + 1; j < g.length; j++) extent = Math.max(extent, Math.hypot(g[i].x - g[j].x, g[i].y - g[j].y));
    }
    clusters.push({ x: sx / g.length, y: sy / g.length, extent, count: g.length, range });
  }
  // 3. Classification. A cluster of few returns is only as wide as its beams are apart, so
  // the lower leg bound gives way to that spacing (two returns on a leg 3 m away are 5 cm
  // apart); the upper bound still rejects anything wider than a leg.
  const isLeg = (c: Cluster) =>
    c.extent <= cfg.legExtent[1] && c.extent >= Math.min(cfg.legExtent[0], 0.5 * (c.count - 1) * c.range * cfg.beamIncrement);
  // The returns lie on the leg's near side; its centre is about π/4 of a radius farther
  // away (mean depth of a circle's visible arc sampled evenly across its width).
  const legCentre = (c: Cluster) => {
    const push = (Math.PI / 4) * cfg.legRadius;
    const f = c.range > 1e-6 ? push / c.range : 0;
    return { ...c, x: c.x + (c.x - robot.x) * f, y: c.y + (c.y - robot.y) * f };
  };
  const legs = clusters.filter(isLeg).map(legCentre);
  const bodies = clusters.filter((c) => !isLeg(c) && c.extent >= cfg.bodyExtent[0] && c.extent <= cfg.bodyExtent[1]);
  const detections: PersonDetection[] = [];
  // Pair legs greedily, closest pairs first.
  const pairs: { i: number; j: number; d: number }[] = [];
  for (let i = 0; i < legs.length; i++) {
    for (let j = i + 1; j < legs.length; j++) {
      const d = Math.hypot(legs[i].x - legs[j].x, legs[i].y - legs[j].y);
      if (d <= cfg.legPairDistance) pairs.push({ i, j, d });
    }
  }
  pairs.sort((a, b) => a.d - b.d);
  const paired = new Uint8Array(legs.length);
  for (const { i, j, d } of pairs) {
    if (paired[i] || paired[j]) continue;
    paired[i] = paired[j] = 1;
    const a = legs[i];
    const b = legs[j];
    detections.push({
      x: (a.x + b.x) / 2,
      y: (a.y + b.y) / 2,
      confidence: 0.9 * supportFactor(a.count + b.count),
      kind: 'leg-pair',
      extent: d + (a.extent + b.extent) / 2,
      pointCount: a.count + b.count,
    });
  }
  for (const c of bodies) {
    detections.push({ x: c.x, y: c.y, confidence: 0.7 * supportFactor(c.count), kind: 'body', extent: c.extent, pointCount: c.count });
  }
  legs.forEach((c, i) => {
    if (paired[i]) return;
    detections.push({ x: c.x, y: c.y, confidence: 0.45 * supportFactor(c.count), kind: 'single-leg', extent: c.extent, pointCount: c.count });
  });
  return detections;
}

/** Fewer supporting points → less trust; saturates at 6 points. */
function supportFactor(count: number): number {
  return Math.min(1, 0.5 + count / 12);
}
