/** Live robot state: scans are placed in the map at the pose of their own time. */
import { describe, expect, it } from 'vitest';
import { RobotState } from '../../../src/main/core/state';
import { HELLO } from './scripted-robot';

const odom = (x: number, theta: number, v: number, w: number) => ({ type: 'odometry' as const, x, y: 0, theta, v, w, lastCommandSeq: 0 });

describe('RobotState', () => {
  it('interpolates the pose between odometry samples and extrapolates a little past the newest', () => {
    const s = new RobotState();
    expect(s.poseAt(1)).toBeNull();
    s.applyOdometry(odom(0, 0, 1, 1), 1.0);
    s.applyOdometry(odom(0.02, 0.02, 1, 1), 1.02);
    expect(s.poseAt(1.01)!.x).toBeCloseTo(0.01, 9);
    expect(s.poseAt(1.01)!.theta).toBeCloseTo(0.01, 9);
    expect(s.poseAt(0.5)).toEqual({ x: 0, y: 0, theta: 0 }); // before the history: the oldest
    // 10 ms past the newest: along the twist (1 m/s, 1 rad/s).
    expect(s.poseAt(1.03)!.theta).toBeCloseTo(0.03, 9);
    expect(s.poseAt(1.03)!.x).toBeCloseTo(0.03, 4);
    // Never more than 0.1 s ahead.
    expect(s.poseAt(5)!.theta).toBeCloseTo(0.12, 9);
  });

  it('places a scan with the pose at its stamp, not the newest odometry', () => {
    const s = new RobotState();
    s.hello = { ...HELLO, lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0 };
    // Turning at 1 rad/s: the scan was taken 20 ms before the newest odometry.
    s.applyOdometry(odom(0, 0, 0, 1), 1.0);
    s.applyOdometry(odom(0, 0.02, 0, 1), 1.02);
    const ranges = new Float32Array(HELLO.lidarBeams).fill(Infinity);
    ranges[0] = 2; // the first beam, straight ahead in the lidar frame
    const view = s.applyScan({ type: 'laser-scan', angleMin: 0, angleIncrement: (2 * Math.PI) / HELLO.lidarBeams, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges }, 1.0);
    expect(view.base.count).toBe(1);
    expect(view.map[0]).toBeCloseTo(2, 9);
    expect(view.map[1]).toBeCloseTo(0, 9); // with the newest pose it would be 4 cm off (2 m × 0.02 rad)
    expect(view.lidarPose.theta).toBeCloseTo(0, 9);
  });

  it('places odometry on the map where the operator says the robot stands, and odometry carries on from there', () => {
    const s = new RobotState();
    // Placed before the first odometry: applied to it.
    s.placeOnMap({ x: 5, y: 2, theta: Math.PI / 2 });
    s.applyOdometry(odom(1, 0, 0, 0), 1.0);
    expect(s.pose!.x).toBeCloseTo(5, 9);
    expect(s.pose!.y).toBeCloseTo(2, 9);
    expect(s.pose!.theta).toBeCloseTo(Math.PI / 2, 9);
    // Driving 1 m along odom x is 1 m along map +y (the robot faces +y on the map).
    s.applyOdometry(odom(2, 0, 0, 0), 1.1);
    expect(s.pose!.x).toBeCloseTo(5, 9);
    expect(s.pose!.y).toBeCloseTo(3, 9);
    // map → odom is what the run log records beside the raw odometry.
    expect(s.mapFromOdom.x).toBeCloseTo(5, 9);
    expect(s.mapFromOdom.y).toBeCloseTo(1, 9);
    // Placed again while connected: from the current odometry on.
    s.placeOnMap({ x: 0, y: 0, theta: 0 });
    s.applyOdometry(odom(2.5, 0, 0, 0), 1.2);
    expect(s.pose!.x).toBeCloseTo(0.5, 9);
    expect(s.pose!.y).toBeCloseTo(0, 9);
  });

  it('gives the safety loop the newest scan from where the robot stands now, and drops it when the robot is placed', () => {
    const s = new RobotState();
    s.hello = { ...HELLO, lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0 };
    s.applyOdometry(odom(0, 0, 0.5, 0), 1.0);
    const ranges = new Float32Array(HELLO.lidarBeams).fill(Infinity);
    ranges[0] = 2; // a wall 2 m straight ahead when the scan was taken
    s.applyScan({ type: 'laser-scan', angleMin: 0, angleIncrement: (2 * Math.PI) / HELLO.lidarBeams, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges }, 1.0);
    // 0.2 m driven since: the wall is 1.8 m ahead now, the scan's stamp unchanged.
    s.applyOdometry(odom(0.2, 0, 0.5, 0), 1.4);
    const now = s.scanNow()!;
    expect(now.count).toBe(1);
    expect(now.xs[0]).toBeCloseTo(1.8, 9);
    expect(now.ys[0]).toBeCloseTo(0, 9);
    expect(now.stamp).toBe(1.0);
    s.placeOnMap({ x: 3, y: 3, theta: 0 });
    expect(s.scan).toBeNull();
    expect(s.scanNow()).toBeNull();
  });

  it("moves the map pose and the drawn scan with a localizer's correction, but not what the safety loop measures", () => {
    const s = new RobotState();
    s.hello = { ...HELLO, lidarMountX: 0, lidarMountY: 0, lidarMountYaw: 0 };
    s.applyOdometry(odom(1, 0, 0, 0), 1.0);
    const ranges = new Float32Array(HELLO.lidarBeams).fill(Infinity);
    ranges[0] = 2;
    const view = s.applyScan({ type: 'laser-scan', angleMin: 0, angleIncrement: (2 * Math.PI) / HELLO.lidarBeams, timeIncrement: 0, rangeMin: 0.05, rangeMax: 8, ranges }, 1.0);
    expect(view.odomPose).toEqual({ x: 1, y: 0, theta: 0 });
    // The localizer says odom sits 0.3 m further along x and turned by 0.1 rad on the map.
    s.correctMapFromOdom({ x: 0.3, y: 0, theta: 0.1 });
    expect(s.pose!.x).toBeCloseTo(0.3 + Math.cos(0.1), 9);
    expect(s.pose!.theta).toBeCloseTo(0.1, 9);
    expect(s.poseAt(1.0)!.x).toBeCloseTo(0.3 + Math.cos(0.1), 9);
    // The scan is kept (the robot did not move) and the wall is still 2 m ahead for the safety loop.
    expect(s.scan).not.toBeNull();
    const now = s.scanNow()!;
    expect(now.xs[0]).toBeCloseTo(2, 9);
    expect(now.ys[0]).toBeCloseTo(0, 9);
  });
});
