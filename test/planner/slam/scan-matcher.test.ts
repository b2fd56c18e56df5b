import { describe, expect, it } from 'vitest';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import { Prng } from '../../../src/planner/random';
import { BranchAndBoundScratch, PrecomputedGrids, branchAndBound } from '../../../src/planner/slam/branch-and-bound';
import { CODE_TO_PROBABILITY, ProbabilityGrid } from '../../../src/planner/slam/probability-grid';
import { correlativeSearch, MatchScratch, refinePose, scoreAt, type MatchPoints } from '../../../src/planner/slam/scan-matcher';
import { scanToPoints, type ScanPoints } from '../../../src/planner/slam/scan-points';
import { flat, HOME_LIDAR, scanAt } from './synthetic';

const POINT_OPTIONS = { maxRange: 25, noReturnFreeRange: 0, matchPointSpacing: 0.05, maxMatchPoints: 250 };
const DEG = Math.PI / 180;

function pointsAt(pose: Pose2D, rng: Prng): ScanPoints {
  return scanToPoints(scanAt(flat(), pose, 0, HOME_LIDAR, rng), { x: 0, y: 0, theta: 0 }, POINT_OPTIONS);
}

const mp = (p: ScanPoints): MatchPoints => ({ x: p.matchX, y: p.matchY, count: p.matchCount, maxRange: p.maxMatchRange });

/** A submap of the left room built from scans at a few known poses (grid frame = map frame). */
function leftRoomMap(rng: Prng): ProbabilityGrid {
  const grid = new ProbabilityGrid(0.05, 0.55, 0.49);
  for (let k = 0; k < 12; k++) grid.insert(pointsAt({ x: 2 + 0.2 * (k % 4), y: 2.5 + 0.3 * Math.floor(k / 4), theta: 0.3 * k }, rng), { x: 2 + 0.2 * (k % 4), y: 2.5 + 0.3 * Math.floor(k / 4), theta: 0.3 * k });
  return grid;
}

function poseError(a: Pose2D, b: Pose2D): { d: number; dth: number } {
  return { d: Math.hypot(a.x - b.x, a.y - b.y), dth: Math.abs(normalizeAngle(a.theta - b.theta)) };
}

describe('probability grid', () => {
  it('marks endpoints likely, rays free, and leaves the rest unobserved', () => {
    const rng = new Prng(3);
    const grid = leftRoomMap(rng);
    // A cell on the left wall (x = 0) at y = 3.9 and a cell in the middle of the room.
    const col = (x: number): number => Math.floor((x - grid.originX) / grid.resolution);
    const row = (y: number): number => Math.floor((y - grid.originY) / grid.resolution);
    expect(grid.probabilityAt(col(0.01), row(3.9))).toBeGreaterThan(0.7);
    // Seen free by every scan: each miss lowers the odds a little (p_miss = 0.49).
    expect(grid.probabilityAt(col(3), row(4.5))).toBeLessThan(0.45);
    // Behind the wall nothing was observed: the code is 0 (unknown).
    expect(grid.values[row(4) * grid.width + col(-1)]).toBe(0);
    expect(CODE_TO_PROBABILITY[0]).toBeCloseTo(0.1);
  });

  it('grows to fit scans far from where it started without moving any cell', () => {
    const rng = new Prng(4);
    const grid = new ProbabilityGrid(0.05, 0.55, 0.49);
    const p1 = { x: 2, y: 2, theta: 0 };
    grid.insert(pointsAt(p1, rng), p1);
    const before = new Map<string, number>();
    for (let r = 0; r < grid.height; r++) for (let c = 0; c < grid.width; c++) before.set(`${Math.round(grid.originX / 0.05) + c},${Math.round(grid.originY / 0.05) + r}`, grid.values[r * grid.width + c]!);
    const width0 = grid.width;
    grid.ensureContains(-30, -20, 40, 25);
    expect(grid.width).toBeGreaterThan(width0);
    for (const [key, v] of before) {
      const [gc, gr] = key.split(',').map(Number) as [number, number];
      expect(grid.values[(gr - Math.round(grid.originY / 0.05)) * grid.width + (gc - Math.round(grid.originX / 0.05))]).toBe(v);
    }
    const p2 = { x: 9, y: 4, theta: 1 };
    grid.insert(pointsAt(p2, rng), p2);
    expect(grid.probabilityAt(Math.floor((11.99 - grid.originX) / 0.05), Math.floor((4 - grid.originY) / 0.05))).toBeGreaterThan(0.5);
  });
});

describe('scan matching', () => {
  it('recovers a known offset: correlative search then refinement to sub-cell accuracy', () => {
    const rng = new Prng(7);
    const grid = leftRoomMap(rng);
    const truth = { x: 2.43, y: 3.17, theta: 0.61 };
    const pts = mp(pointsAt(truth, rng));
    const prior = { x: truth.x + 0.11, y: truth.y - 0.08, theta: truth.theta + 6 * DEG };
    const coarse = correlativeSearch(grid, pts, prior, { linearWindow: 0.15, angularWindow: 20 * DEG, translationPenalty: 1, rotationPenalty: 1, stepRange: 10 }, new MatchScratch());
    const c = poseError(coarse.pose, truth);
    expect(c.d).toBeLessThan(0.05);
    expect(c.dth).toBeLessThan(1 * DEG);
    const fine = refinePose(grid, pts, coarse.pose, coarse.pose, { occupiedWeight: 1, translationWeight: 0.1, rotationWeight: 0.1, maxIterations: 30 });
    const f = poseError(fine.pose, truth);
    // Sub-cell: walls are only known to a 5 cm cell, so a few cm of bias is the floor.
    expect(f.d).toBeLessThan(0.02);
    expect(f.dth).toBeLessThan(0.5 * DEG);
    expect(fine.score).toBeGreaterThan(0.6);
    // The prediction itself scores clearly worse than the match.
    expect(scoreAt(grid, pts, prior)).toBeLessThan(fine.score - 0.2);
  });

  it('branch-and-bound finds a pose 1.5 m and 25° away, and returns the exhaustive optimum', () => {
    const rng = new Prng(11);
    const grid = leftRoomMap(rng);
    const truth = { x: 3.4, y: 4.1, theta: -0.9 };
    const pts = mp(pointsAt(truth, rng));
    const start = { x: truth.x - 1.1, y: truth.y + 1.0, theta: truth.theta + 25 * DEG };
    const pre = new PrecomputedGrids(grid, 7);
    const found = branchAndBound(pre, pts, start, { linearWindow: 2, angularWindow: 30 * DEG, minScore: 0.5, stepRange: 10 }, new BranchAndBoundScratch());
    expect(found).not.toBeNull();
    const e = poseError(found!.pose, truth);
    expect(e.d).toBeLessThan(0.06);
    expect(e.dth).toBeLessThan(1 * DEG);
    // Same window with depth 1 is the exhaustive search: same answer, far more candidates.
    const flatSearch = branchAndBound(new PrecomputedGrids(grid, 1), pts, start, { linearWindow: 2, angularWindow: 30 * DEG, minScore: 0.5, stepRange: 10 }, new BranchAndBoundScratch());
    expect(flatSearch!.score).toBeCloseTo(found!.score, 9);
    expect(found!.evaluated * 20).toBeLessThan(flatSearch!.evaluated);
  });

  it('branch-and-bound reports nothing when the scan is from somewhere else', () => {
    const rng = new Prng(12);
    const grid = leftRoomMap(rng);
    // A scan from the right room matched around a left-room pose.
    const pts = mp(pointsAt({ x: 9, y: 4, theta: 0 }, rng));
    const found = branchAndBound(new PrecomputedGrids(grid, 7), pts, { x: 3, y: 4, theta: 0 }, { linearWindow: 1, angularWindow: 30 * DEG, minScore: 0.6, stepRange: 10 }, new BranchAndBoundScratch());
    expect(found).toBeNull();
  });
});
