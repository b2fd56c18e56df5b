import { describe, expect, it } from 'vitest';
import { normalizeAngle, type Pose2D } from '../../../src/shared/geometry';
import { CELL_OCCUPIED, type OccupancyGrid } from '../../../src/shared/grid';
import { createMapper, GraphMapper } from '../../../src/planner/slam/graph-mapper';
import { between, compose } from '../../../src/planner/slam/se2';
import type { PoseGraphData, ScanInput } from '../../../src/planner/slam/types';
import { flat, pathPoses, simulate } from './synthetic';

const DEG = Math.PI / 180;

/** A tour of the flat: left room, through the door, round the right room, back, and home. */
const TOUR = pathPoses(
  [
    [2, 2],
    [4.5, 2],
    [4.5, 3.6],
    [9, 3.6],
    [9, 6.3],
    [7, 6.3],
    [7, 3.6],
    [4.5, 3.6],
    [4.5, 6.5],
    [3, 4.3],
    [2, 2.2],
  ],
  0.08,
);

/** Map frame of a fresh mapper = odom frame of its first scan = truth[0]'s frame. */
function inFirstFrame(truth: readonly Pose2D[], p: Pose2D): Pose2D {
  return between(truth[0]!, p);
}

function worstError(est: readonly Pose2D[], truth: readonly Pose2D[]): { d: number; th: number } {
  let d = 0;
  let th = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = inFirstFrame(truth, truth[i]!);
    d = Math.max(d, Math.hypot(est[i]!.x - t.x, est[i]!.y - t.y));
    th = Math.max(th, Math.abs(normalizeAngle(est[i]!.theta - t.theta)));
  }
  return { d, th };
}

function feed(mapper: GraphMapper, inputs: readonly ScanInput[]): void {
  for (const input of inputs) mapper.addScan(input);
}

function occupiedNear(grid: OccupancyGrid, x: number, y: number, radius: number): boolean {
  const r = Math.ceil(radius / grid.resolution);
  const c0 = Math.floor((x - grid.origin.x) / grid.resolution);
  const r0 = Math.floor((y - grid.origin.y) / grid.resolution);
  for (let dr = -r; dr <= r; dr++) for (let dc = -r; dc <= r; dc++) if (grid.data[(r0 + dr) * grid.width + c0 + dc] === CELL_OCCUPIED) return true;
  return false;
}

describe('graph mapper on a synthetic flat', () => {
  const inputs = simulate(flat(), TOUR, 3, undefined, { scale: 0.03, headingPerMetre: 0.012, jitter: 0.004 });

  it('tracks a drifting-odometry tour to centimetres and closes the loop home', () => {
    const mapper = createMapper();
    feed(mapper, inputs);
    const traj = mapper.trajectory();
    expect(traj).toHaveLength(inputs.length);
    expect(traj.map((t) => t.time)).toEqual(inputs.map((i) => i.scan.time));
    const slam = worstError(
      traj.map((t) => t.pose),
      TOUR,
    );
    const deadReckoning = worstError(
      inputs.map((i) => i.odom),
      TOUR,
    );
    expect(deadReckoning.d).toBeGreaterThan(0.5);
    expect(slam.d).toBeLessThan(0.08);
    expect(slam.th).toBeLessThan(1.5 * DEG);
    const stats = mapper.stats();
    expect(stats.scans).toBe(inputs.length);
    expect(stats.nodes).toBeGreaterThan(50);
    expect(stats.nodes).toBeLessThan(inputs.length);
    expect(stats.loopClosures).toBeGreaterThan(0);

    // The map puts walls where the flat has them (in the first scan's frame).
    const grid = mapper.occupancyGrid();
    for (const [x, y] of [
      [0, 4],
      [12, 2],
      [6, 1.5],
      [6, 6],
      [5, 8],
    ] as [number, number][]) {
      const p = inFirstFrame(TOUR, { x, y, theta: 0 });
      expect(occupiedNear(grid, p.x, p.y, 0.1)).toBe(true);
    }
  });

  it('says where odom sits in the map at every scan: pose = mapFromOdom ⊕ odom', () => {
    const mapper = createMapper();
    for (const input of inputs.slice(0, 120)) {
      const u = mapper.addScan(input);
      const back = compose(u.mapFromOdom, input.odom);
      expect(Math.hypot(back.x - u.pose.x, back.y - u.pose.y)).toBeLessThan(1e-9);
      expect(u.matchScore).toBeGreaterThanOrEqual(0);
      expect(u.matchScore).toBeLessThanOrEqual(1);
    }
  });

  it('dead-reckons through a scan with almost no returns instead of matching or keeping it', () => {
    const mapper = createMapper();
    feed(mapper, inputs.slice(0, 40));
    const nodes = mapper.stats().nodes;
    const blind = { ...inputs[40]!, scan: { ...inputs[40]!.scan, ranges: new Float32Array(inputs[40]!.scan.ranges.length).fill(Number.POSITIVE_INFINITY) } };
    const u = mapper.addScan(blind);
    expect(u.addedNode).toBe(false);
    expect(mapper.stats().nodes).toBe(nodes);
    const t = inFirstFrame(TOUR, TOUR[40]!);
    expect(Math.hypot(u.pose.x - t.x, u.pose.y - t.y)).toBeLessThan(0.1);
  });

  it('extends a saved map: localises a new run against it first, then grows the same graph', () => {
    const first = createMapper();
    const firstPart = inputs.slice(0, 260);
    feed(first, firstPart);
    const json = JSON.stringify(first.poseGraph());
    // The 10 m lidar sees nothing along some beams (+∞): saved as rangeMax, not as null.
    expect(json).not.toContain('null');
    const saved = JSON.parse(json) as PoseGraphData;
    expect(saved.format).toBe('foresight-pose-graph');
    expect(saved.nodes.some((n) => Array.from(n.scan.ranges).some((r) => r === n.scan.rangeMax))).toBe(true);
    expect(saved.nodes.length).toBe(first.stats().nodes);
    expect(saved.edges.some((e) => e.kind === 'loop') || saved.edges.length > saved.nodes.length).toBe(true);

    // A second run starts 0.5 m and 25° away from where the operator says it is, with its
    // odometry counting from zero again.
    const startIndex = 60;
    const second = simulate(flat(), TOUR.slice(startIndex, startIndex + 150), 8, undefined, { scale: 0.02, headingPerMetre: 0.01, jitter: 0.004 });
    const truthStart = inFirstFrame(TOUR, TOUR[startIndex]!);
    const hint = compose(truthStart, { x: 0.4, y: -0.3, theta: 25 * DEG });
    const mapper = GraphMapper.fromPoseGraph(saved, {}, { initialPose: hint });
    const updates = second.map((input) => mapper.addScan(input));
    expect(updates[0]!.addedNode).toBe(true);
    expect(updates[0]!.loopClosures).toBeGreaterThan(0);
    const p0 = updates[0]!.pose;
    expect(Math.hypot(p0.x - truthStart.x, p0.y - truthStart.y)).toBeLessThan(0.06);
    // Every pose of the new run lands in the saved map's frame.
    const traj = mapper.trajectory().slice(saved.nodes.length);
    expect(traj).toHaveLength(second.length);
    let worst = 0;
    traj.forEach((t, i) => {
      const truth = inFirstFrame(TOUR, TOUR[startIndex + i]!);
      worst = Math.max(worst, Math.hypot(t.pose.x - truth.x, t.pose.y - truth.y));
    });
    expect(worst).toBeLessThan(0.08);
    expect(mapper.stats().nodes).toBeGreaterThan(saved.nodes.length);
    const graph = mapper.poseGraph();
    expect(graph.nodes.slice(0, saved.nodes.length).map((n) => n.id)).toEqual(saved.nodes.map((n) => n.id));
    // The new run is tied to the old nodes by loop edges.
    expect(graph.edges.some((e) => e.kind === 'loop' && e.from < saved.nodes.length && e.to >= saved.nodes.length)).toBe(true);
  });

  it('rejects a pose graph that is not one', () => {
    expect(() => GraphMapper.fromPoseGraph({ format: 'other', version: 1, nodes: [], edges: [] } as unknown as PoseGraphData)).toThrow(/not a Foresight pose graph/);
    const bad: PoseGraphData = { format: 'foresight-pose-graph', version: 1, nodes: [], edges: [{ from: 0, to: 1, relative: { x: 0, y: 0, theta: 0 }, information: [1, 0, 0, 0, 1, 0, 0, 0, 1], kind: 'odometry' }] };
    expect(() => GraphMapper.fromPoseGraph(bad)).toThrow(/names a node that is not in the graph/);
  });
});
