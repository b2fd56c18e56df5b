/**
 * Pointer tools and the router that hands them the map view's gestures: no DOM, no pixi;
 * canvas pointer events go in, goals, zone polygons and pans come out.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Pose2D } from '../../../src/shared/geometry';
import { Viewport } from '../../../src/renderer/scene/viewport';
import { goalFromDrag, GoalTool, ToolRouter, ZoneTool, type CanvasPointer } from '../../../src/renderer/scene/tools';

/** 100 px per metre, map origin at canvas (0, 500): canvas (x, y) is map (x / 100, (500 − y) / 100). */
function rig() {
  const view = new Viewport({ scale: 100, offsetX: 0, offsetY: 500 });
  const pans: [number, number][] = [];
  const changed = vi.fn();
  const router = new ToolRouter(view, { pan: (dx, dy) => pans.push([dx, dy]), changed });
  const at = (x: number, y: number, more: Partial<CanvasPointer> = {}): CanvasPointer => ({ x, y, button: 0, shiftKey: false, pointerId: 1, ...more });
  /** Press, move in steps, release. */
  const gesture = (from: [number, number], to: [number, number], more: Partial<CanvasPointer> = {}) => {
    router.down(at(...from, more));
    for (let k = 1; k <= 4; k++) router.move(at(from[0] + ((to[0] - from[0]) * k) / 4, from[1] + ((to[1] - from[1]) * k) / 4, more));
    router.up(at(...to, more));
  };
  const click = (x: number, y: number, more: Partial<CanvasPointer> = {}) => gesture([x, y], [x, y], more);
  return { view, router, pans, changed, at, gesture, click };
}

function goalRig(robot: Pose2D | null = { x: 0, y: 0, theta: 0 }) {
  const r = rig();
  const goals: Pose2D[] = [];
  const onDisarm = vi.fn();
  const tool = new GoalTool({ onGoal: (g) => goals.push(g), onDisarm, robotPose: () => robot });
  r.router.setTool(tool);
  return { ...r, tool, goals, onDisarm };
}

function zoneRig() {
  const r = rig();
  const done: number[][] = [];
  const drafts: number[][] = [];
  const onCancel = vi.fn();
  const tool = new ZoneTool('keep-out', { onComplete: (p) => done.push(p), onDraft: (p) => drafts.push(p), onCancel });
  r.router.setTool(tool);
  return { ...r, tool, done, drafts, onCancel };
}

describe('goal tool', () => {
  it('armed: a press-drag-release emits a goal at the press, heading along the drag, and disarms', () => {
    const r = goalRig();
    r.tool.setArmed(true);
    expect(r.router.cursor).toBe('crosshair');
    r.gesture([200, 300], [200, 200]); // drag up the screen = +y in the map
    expect(r.goals).toHaveLength(1);
    expect(r.goals[0].x).toBeCloseTo(2);
    expect(r.goals[0].y).toBeCloseTo(2);
    expect(r.goals[0].theta).toBeCloseTo(Math.PI / 2);
    expect(r.onDisarm).toHaveBeenCalledOnce();
    expect(r.tool.armed).toBe(false);
    expect(r.router.cursor).toBe('grab');
    expect(r.pans).toEqual([]);
  });

  it('a click (under 6 px of drag) faces away from the robot', () => {
    const r = goalRig({ x: 0, y: 0, theta: 0 });
    r.tool.setArmed(true);
    r.gesture([100, 400], [103, 400]);
    expect(r.goals[0]).toMatchObject({ x: 1, y: 1 });
    expect(r.goals[0].theta).toBeCloseTo(Math.PI / 4);
  });

  it('unarmed: a plain drag pans the view; shift-drag and right-drag set goals', () => {
    const r = goalRig();
    r.router.down(r.at(100, 100));
    expect(r.router.cursor).toBe('grabbing');
    r.router.move(r.at(130, 90));
    r.router.up(r.at(130, 90));
    expect(r.pans).toEqual([[30, -10]]);
    expect(r.goals).toEqual([]);
    r.gesture([100, 100], [200, 100], { shiftKey: true });
    r.gesture([100, 100], [100, 200], { button: 2 });
    expect(r.goals.map((g) => +g.theta.toFixed(3))).toEqual([0, +(-Math.PI / 2).toFixed(3)]);
    expect(r.onDisarm).not.toHaveBeenCalled();
    expect(r.pans).toHaveLength(1);
  });

  it('ignores the middle button and a second pointer during a gesture', () => {
    const r = goalRig();
    r.tool.setArmed(true);
    expect(r.router.down(r.at(10, 10, { button: 1 }))).toBe(false);
    expect(r.router.down(r.at(10, 10))).toBe(true);
    expect(r.router.down(r.at(50, 50, { pointerId: 2 }))).toBe(false);
    r.router.up(r.at(50, 50, { pointerId: 2 }));
    expect(r.goals).toEqual([]);
    r.router.up(r.at(10, 10));
    expect(r.goals).toHaveLength(1);
  });

  it('drops the goal on pointer cancel, on disarming and on a tool switch', () => {
    const r = goalRig();
    r.tool.setArmed(true);
    r.router.down(r.at(10, 10));
    r.router.cancel();
    r.router.up(r.at(40, 10));
    r.router.down(r.at(10, 10));
    r.tool.setArmed(false);
    r.router.up(r.at(40, 10));
    r.tool.setArmed(true);
    r.router.down(r.at(10, 10));
    expect(r.tool.dragging).toBe(true);
    r.router.setTool(null);
    expect(r.tool.dragging).toBe(false);
    expect(r.router.busy).toBe(false);
    expect(r.goals).toEqual([]);
  });

  it('takes the heading from the drag, or faces away from the robot on a click', () => {
    expect(goalFromDrag({ x: 1, y: 1 }, { x: 1, y: 3 }, true, null).theta).toBeCloseTo(Math.PI / 2);
    const click = goalFromDrag({ x: 0, y: 2 }, { x: 0, y: 2 }, false, { x: 0, y: 0, theta: 0 });
    expect(click).toEqual({ x: 0, y: 2, theta: Math.PI / 2 });
    expect(goalFromDrag({ x: 0, y: 0 }, { x: 0, y: 0 }, false, { x: 0, y: 0, theta: 1 }).theta).toBe(1);
  });
});

describe('zone tool', () => {
  it('builds a polygon from clicks and closes it on the first corner', () => {
    const r = zoneRig();
    expect(r.router.cursor).toBe('crosshair');
    r.click(100, 400);
    r.click(300, 400);
    r.click(300, 200);
    expect(r.tool.vertices).toBe(3);
    expect(r.drafts.at(-1)).toEqual([1, 1, 3, 1, 3, 3]);
    r.click(104, 403); // within 10 px of the first corner
    expect(r.done).toEqual([[1, 1, 3, 1, 3, 3]]);
    expect(r.tool.vertices).toBe(0);
  });

  it('pans on a drag past the click slop instead of adding a corner; right-drag pans too', () => {
    const r = zoneRig();
    r.gesture([100, 100], [102, 101]); // within the slop: a click
    expect(r.tool.vertices).toBe(1);
    expect(r.pans).toEqual([]);
    r.gesture([100, 100], [160, 100]);
    expect(r.tool.vertices).toBe(1);
    expect(r.pans.reduce((s, [dx]) => s + dx, 0)).toBe(60);
    expect(r.router.cursor).toBe('crosshair');
    r.gesture([100, 100], [100, 150], { button: 2 });
    expect(r.tool.vertices).toBe(1);
  });

  it('Backspace removes a corner, Enter closes (with three corners or more), a double click closes', () => {
    const r = zoneRig();
    r.click(0, 500);
    r.click(100, 500);
    expect(r.router.key('Enter')).toBe(true);
    expect(r.done).toEqual([]); // two corners: not a polygon yet
    r.click(100, 400);
    r.click(50, 300);
    expect(r.router.key('Backspace')).toBe(true);
    expect(r.tool.draft).toEqual([0, 0, 1, 0, 1, 1]);
    r.router.key('Enter');
    expect(r.done).toEqual([[0, 0, 1, 0, 1, 1]]);
    r.click(0, 500);
    r.click(100, 500);
    r.click(100, 400);
    expect(r.router.doubleClick(r.at(100, 400))).toBe(true);
    expect(r.done).toHaveLength(2);
    expect(r.router.key('x')).toBe(false);
  });

  it('Escape drops the polygon and cancels the tool', () => {
    const r = zoneRig();
    r.click(0, 500);
    r.click(100, 500);
    r.click(100, 400);
    expect(r.router.key('Escape')).toBe(true);
    expect(r.onCancel).toHaveBeenCalledOnce();
    expect(r.tool.vertices).toBe(0);
    expect(r.drafts.at(-1)).toEqual([]);
    expect(r.done).toEqual([]);
  });

  it('asks for a redraw on hover only while a polygon is being drawn', () => {
    const r = zoneRig();
    r.changed.mockClear();
    r.router.move(r.at(10, 10));
    expect(r.changed).not.toHaveBeenCalled();
    r.click(10, 10);
    r.changed.mockClear();
    r.router.move(r.at(20, 20));
    expect(r.changed).toHaveBeenCalledOnce();
  });
});

describe('tool routing', () => {
  it('with no tool every press pans and double clicks are left to the view', () => {
    const r = rig();
    r.gesture([0, 0], [40, 0], { shiftKey: true });
    expect(r.pans.reduce((s, [dx]) => s + dx, 0)).toBe(40);
    expect(r.router.doubleClick(r.at(0, 0))).toBe(false);
    expect(r.router.key('Enter')).toBe(false);
    expect(r.router.cursor).toBe('grab');
  });

  it('switching from the zone tool to the goal tool routes the next press to the goal tool', () => {
    const r = zoneRig();
    const goals: Pose2D[] = [];
    r.click(0, 500);
    const goal = new GoalTool({ onGoal: (g) => goals.push(g), robotPose: () => null });
    goal.setArmed(true);
    r.router.setTool(goal);
    r.click(100, 500);
    expect(goals).toEqual([{ x: 1, y: 0, theta: 0 }]);
    expect(r.tool.vertices).toBe(1);
  });
});
