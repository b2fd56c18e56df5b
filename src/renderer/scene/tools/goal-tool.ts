/**
 * The goal tool: press at the goal, drag toward its heading, release (a click faces away
 * from the robot). Armed (goal mode, G) it takes left and right presses; unarmed it is the
 * map's default tool and takes only shift-drags and right-drags, leaving the rest to pan.
 * Setting a goal disarms it.
 */
import type { Graphics } from 'pixi.js';
import type { Pose2D, Vec2 } from '../../../shared/geometry';
import { TOOL_PREVIEW_COLOR } from '../colors';
import { drawGoalMarker } from '../draw';
import { goalFromDrag } from './goal-from-drag';
import type { MapPointer, MapTool, PressClaim } from './types';

/** A release this far (screen px) from the press is a drag: its direction is the heading. */
export const GOAL_DRAG_MIN_PX = 6;

export interface GoalToolOptions {
  /** The operator finished a goal drag (position and heading, map frame). */
  onGoal: (goal: Pose2D) => void;
  /** The tool disarmed itself after a goal. */
  onDisarm?: () => void;
  /** The robot's pose, for a click's heading (face away from the robot). */
  robotPose: () => Pose2D | null;
}

export class GoalTool implements MapTool {
  armed = false;
  private gesture: { startScreen: Vec2; start: Vec2; end: Vec2 } | null = null;

  constructor(private readonly opts: GoalToolOptions) {}

  get cursor(): string {
    return this.armed ? 'crosshair' : 'grab';
  }

  /** A goal drag is under way. */
  get dragging(): boolean {
    return this.gesture !== null;
  }

  setArmed(on: boolean): void {
    this.armed = on;
    if (!on) this.gesture = null;
  }

  press(e: MapPointer): PressClaim {
    if (!(this.armed || e.shiftKey || e.button === 2)) return null;
    this.gesture = { startScreen: e.screen, start: e.world, end: e.world };
    return 'drag';
  }

  drag(e: MapPointer): void {
    if (this.gesture) this.gesture.end = e.world;
  }

  release(e: MapPointer): void {
    const d = this.gesture;
    if (!d) return;
    this.gesture = null;
    const dragged = Math.hypot(e.screen.x - d.startScreen.x, e.screen.y - d.startScreen.y) >= GOAL_DRAG_MIN_PX;
    this.opts.onGoal(goalFromDrag(d.start, e.world, dragged, this.opts.robotPose()));
    if (this.armed) {
      this.armed = false;
      this.opts.onDisarm?.();
    }
  }

  cancel(): void {
    this.gesture = null;
  }

  draw(g: Graphics, px: number): void {
    const d = this.gesture;
    if (!d) return;
    const dragged = Math.hypot(d.end.x - d.start.x, d.end.y - d.start.y) / px >= GOAL_DRAG_MIN_PX;
    drawGoalMarker(g, goalFromDrag(d.start, d.end, dragged, this.opts.robotPose()), px, TOOL_PREVIEW_COLOR, 0.9);
    if (dragged) g.moveTo(d.start.x, d.start.y).lineTo(d.end.x, d.end.y).stroke({ width: px, color: TOOL_PREVIEW_COLOR, alpha: 0.4 });
  }
}
