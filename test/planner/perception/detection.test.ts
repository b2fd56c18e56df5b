import { describe, expect, it } from 'vitest';
import { detectPeople } from '../../../src/planner/perception/detection';

const robot = { x: 0, y: 0, theta: 0 };

/** Scan returns (map frame) of the robot-facing half of a circle, one per `beamStep` rad. */
function circleReturns(cx: number, cy: number, radius: number, beamStep = 0.25 * (Math.PI / 180)) {
  const xs: number[] = [];
  const ys: number[] = [];
  const centreBearing = Math.atan2(cy, cx);
  const centreRange = Math.hypot(cx, cy);
  const halfWidth = Math.asin(radius / centreRange);
  for (let b = centreBearing - halfWidth; b <= centreBearing + halfWidth; b += beamStep) {
    // Ray from the origin: first intersection with the circle.
    const dx = Math.cos(b);
    const dy = Math.sin(b);
    const along = dx * cx + dy * cy;
    const disc = along * along - (centreRange * centreRange - radius * radius);
    if (disc < 0) continue;
    const r = along - Math.sqrt(disc);
    xs.push(r * dx);
    ys.push(r * dy);
  }
  return { xs, ys };
}

function concat(...parts: { xs: number[]; ys: number[] }[]) {
  return { xs: parts.flatMap((p) => p.xs), ys: parts.flatMap((p) => p.ys) };
}

/** A straight wall along y = wallY from x0 to x1, sampled every 2 cm. */
function wallReturns(wallY: number, x0: number, x1: number) {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let x = x0; x <= x1; x += 0.02) {
    xs.push(x);
    ys.push(wallY);
  }
  return { xs, ys };
}

const wallMap = (wallY: number) => ({ distanceAt: (_x: number, y: number) => Math.abs(y - wallY) });

describe('detectPeople', () => {
  it('finds a leg pair and puts the person between the legs', () => {
    const scan = concat(circleReturns(3, 0.12, 0.06), circleReturns(3, -0.12, 0.06));
    const detections = detectPeople(scan, robot, null);
    expect(detections).toHaveLength(1);
    expect(detections[0].kind).toBe('leg-pair');
    expect(detections[0].x).toBeCloseTo(2.97, 1);
    expect(Math.abs(detections[0].y)).toBeLessThan(0.03);
    expect(detections[0].confidence).toBeGreaterThan(0.7);
  });

  it('rejects points on static walls', () => {
    const scan = wallReturns(2, -1, 4);
    expect(detectPeople(scan, robot, null).length).toBe(0); // no map: a 5 m wall is too big anyway
    const stub = concat(wallReturns(2, 1, 1.3)); // a 0.3 m stretch of wall looks body-sized …
    expect(detectPeople(stub, robot, null)).toHaveLength(1);
    expect(detectPeople(stub, robot, wallMap(2))).toHaveLength(0); // … but the map explains it
  });

  it('still finds a person standing next to a wall the map explains', () => {
    const scan = concat(wallReturns(2, -1, 4), circleReturns(2.5, 1.4, 0.06), circleReturns(2.5, 1.15, 0.06));
    const detections = detectPeople(scan, robot, wallMap(2));
    expect(detections).toHaveLength(1);
    expect(detections[0].kind).toBe('leg-pair');
    expect(detections[0].y).toBeCloseTo(1.27, 1);
  });

  it('ignores clusters larger than a person and ranges beyond maxRange', () => {
    expect(detectPeople(wallReturns(1, 2, 3.2), robot, null)).toHaveLength(0); // 1.2 m object
    expect(detectPeople(circleReturns(9, 0, 0.2), robot, null)).toHaveLength(0);
    expect(detectPeople(circleReturns(9, 0, 0.2), robot, null, { maxRange: 10 })).toHaveLength(1);
  });

  it('reports an unpaired leg with low confidence', () => {
    const detections = detectPeople(circleReturns(2, 0, 0.06), robot, null);
    expect(detections).toHaveLength(1);
    expect(detections[0].kind).toBe('single-leg');
    expect(detections[0].confidence).toBeLessThan(0.5);
  });

  it('sees a far person whose legs give one or two returns each (1° beams) and centres it', () => {
    const oneDegree = Math.PI / 180;
    for (const range of [3.5, 3.9]) {
      const scan = concat(circleReturns(range, 0.09, 0.06, oneDegree), circleReturns(range, -0.09, 0.06, oneDegree));
      expect(scan.xs.length).toBeLessThanOrEqual(4);
      const detections = detectPeople(scan, robot, null, { beamIncrement: oneDegree });
      expect(detections).toHaveLength(1);
      expect(detections[0].kind).toBe('leg-pair');
      // Returns lie on the legs' near faces; the centre is corrected to within 4 cm (uncorrected: 5–6 cm).
      expect(Math.hypot(detections[0].x - range, detections[0].y)).toBeLessThan(0.04);
    }
  });

  it('does not take a single stray return near the robot for a leg', () => {
    const detections = detectPeople({ xs: [1.0], ys: [0.2] }, robot, null, { beamIncrement: Math.PI / 180 });
    expect(detections).toHaveLength(0);
  });
});
