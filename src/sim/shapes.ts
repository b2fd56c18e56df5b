/**
 * Exact planar shapes of the simulated world and the geometric queries the simulator
 * needs: ray intersection (lidar), signed overlap (collision) and distance (clearance).
 * All coordinates are in the `map` frame, metres; angles radians.
 */

/** A vertical cylinder seen from above (BARN obstacles: radius 0.075 m). */
export interface CircleShape {
  x: number;
  y: number;
  radius: number;
}

/** An oriented rectangle: centre, heading of its `length` axis, full side lengths. */
export interface OrientedBox {
  x: number;
  y: number;
  /** Heading of the length axis, radians, map frame. */
  yaw: number;
  /** Full extent along the yaw axis, metres. */
  length: number;
  /** Full extent across it, metres. */
  width: number;
}

/** An ellipse (a person's torso seen by a chest-height lidar). */
export interface EllipseShape {
  x: number;
  y: number;
  yaw: number;
  /** Semi-axis along yaw, metres (front–back half depth). */
  semiMajorAlong: number;
  /** Semi-axis across yaw, metres (shoulder half width). */
  semiAcross: number;
}

/**
 * Distance along the unit ray (ox, oy) + t·(dx, dy) to a circle, or Infinity when missed.
 * A ray starting inside the circle hits at t = 0.
 */
export function rayCircle(ox: number, oy: number, dx: number, dy: number, c: CircleShape): number {
  const mx = ox - c.x;
  const my = oy - c.y;
  const b = mx * dx + my * dy;
  const cc = mx * mx + my * my - c.radius * c.radius;
  if (cc <= 0) return 0;
  if (b > 0) return Infinity; // pointing away and outside
  const disc = b * b - cc;
  if (disc < 0) return Infinity;
  return -b - Math.sqrt(disc);
}

/** Distance along a unit ray to an oriented box (slab test in the box frame), or Infinity. */
export function rayBox(ox: number, oy: number, dx: number, dy: number, box: OrientedBox): number {
  const c = Math.cos(box.yaw);
  const s = Math.sin(box.yaw);
  const rx = ox - box.x;
  const ry = oy - box.y;
  // Ray in the box frame.
  const lx = c * rx + s * ry;
  const ly = -s * rx + c * ry;
  const ldx = c * dx + s * dy;
  const ldy = -s * dx + c * dy;
  const hx = box.length / 2;
  const hy = box.width / 2;
  let tmin = 0;
  let tmax = Infinity;
  for (let axis = 0; axis < 2; axis++) {
    const p = axis === 0 ? lx : ly;
    const d = axis === 0 ? ldx : ldy;
    const h = axis === 0 ? hx : hy;
    if (Math.abs(d) < 1e-12) {
      if (p < -h || p > h) return Infinity;
      continue;
    }
    let t1 = (-h - p) / d;
    let t2 = (h - p) / d;
    if (t1 > t2) [t1, t2] = [t2, t1];
    if (t1 > tmin) tmin = t1;
    if (t2 < tmax) tmax = t2;
    if (tmin > tmax) return Infinity;
  }
  return tmin;
}

/** Distance along a unit ray to an ellipse, or Infinity. */
export function rayEllipse(ox: number, oy: number, dx: number, dy: number, e: EllipseShape): number {
  const c = Math.cos(e.yaw);
  const s = Math.sin(e.yaw);
  const rx = ox - e.x;
  const ry = oy - e.y;
  // Into the ellipse frame, then scale so the ellipse becomes the unit circle.
  const lx = (c * rx + s * ry) / e.semiMajorAlong;
  const ly = (-s * rx + c * ry) / e.semiAcross;
  const ldx = (c * dx + s * dy) / e.semiMajorAlong;
  const ldy = (-s * dx + c * dy) / e.semiAcross;
  const a = ldx * ldx + ldy * ldy;
  const b = lx * ldx + ly * ldy;
  const cc = lx * lx + ly * ly - 1;
  if (cc <= 0) return 0;
  if (b > 0) return Infinity;
  const disc = b * b - a * cc;
  if (disc < 0) return Infinity;
  // t is in the original metric because the direction was scaled, not normalized.
  return (-b - Math.sqrt(disc)) / a;
}

/** Distance from a point to an oriented box, metres (0 inside). */
export function pointBoxDistance(px: number, py: number, box: OrientedBox): number {
  const c = Math.cos(box.yaw);
  const s = Math.sin(box.yaw);
  const rx = px - box.x;
  const ry = py - box.y;
  const lx = Math.abs(c * rx + s * ry) - box.length / 2;
  const ly = Math.abs(-s * rx + c * ry) - box.width / 2;
  const ox = Math.max(lx, 0);
  const oy = Math.max(ly, 0);
  return Math.hypot(ox, oy);
}

/**
 * Closest point of an oriented box to a point (the point itself when inside).
 * Used for the direction of repulsion forces.
 */
export function closestPointOnBox(px: number, py: number, box: OrientedBox): { x: number; y: number } {
  const c = Math.cos(box.yaw);
  const s = Math.sin(box.yaw);
  const rx = px - box.x;
  const ry = py - box.y;
  const hx = box.length / 2;
  const hy = box.width / 2;
  const lx = Math.min(hx, Math.max(-hx, c * rx + s * ry));
  const ly = Math.min(hy, Math.max(-hy, -s * rx + c * ry));
  return { x: box.x + c * lx - s * ly, y: box.y + s * lx + c * ly };
}

/** The four corners of an oriented box, counter-clockwise. */
export function boxCorners(box: OrientedBox): Array<{ x: number; y: number }> {
  const c = Math.cos(box.yaw);
  const s = Math.sin(box.yaw);
  const hx = box.length / 2;
  const hy = box.width / 2;
  const local: Array<[number, number]> = [[hx, hy], [-hx, hy], [-hx, -hy], [hx, -hy]];
  return local.map(([lx, ly]) => ({ x: box.x + c * lx - s * ly, y: box.y + s * lx + c * ly }));
}

/** True when two oriented boxes overlap (separating axis theorem, touching counts). */
export function boxesOverlap(a: OrientedBox, b: OrientedBox): boolean {
  const ca = boxCorners(a);
  const cb = boxCorners(b);
  for (const yaw of [a.yaw, a.yaw + Math.PI / 2, b.yaw, b.yaw + Math.PI / 2]) {
    const ax = Math.cos(yaw);
    const ay = Math.sin(yaw);
    let minA = Infinity, maxA = -Infinity, minB = Infinity, maxB = -Infinity;
    for (const p of ca) { const d = p.x * ax + p.y * ay; if (d < minA) minA = d; if (d > maxA) maxA = d; }
    for (const p of cb) { const d = p.x * ax + p.y * ay; if (d < minB) minB = d; if (d > maxB) maxB = d; }
    if (maxA < minB || maxB < minA) return false;
  }
  return true;
}

/** Distance between two oriented boxes, metres; 0 when they overlap. */
export function boxBoxDistance(a: OrientedBox, b: OrientedBox): number {
  if (boxesOverlap(a, b)) return 0;
  // For disjoint convex polygons the minimum is attained at a vertex of one of them.
  let best = Infinity;
  for (const p of boxCorners(a)) best = Math.min(best, pointBoxDistance(p.x, p.y, b));
  for (const p of boxCorners(b)) best = Math.min(best, pointBoxDistance(p.x, p.y, a));
  return best;
}
