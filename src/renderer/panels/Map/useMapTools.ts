/**
 * The map's pointer tools: the goal tool (always there: armed in goal mode, else it takes
 * shift- and right-drags), the place-robot tool (the same gesture: where the robot stands and
 * which way it faces, for a robot whose odometry started wherever it was switched on) and,
 * while a zone is being drawn, the zone polygon tool, which also takes Enter, Backspace and
 * Escape.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { Zone } from '../../../shared/api';
import type { Pose2D } from '../../../shared/geometry';
import type { MapScene } from '../../scene/MapScene';
import { GoalTool, ZoneTool } from '../../scene/tools';
import type { ToolStats } from './scene-stats';

export interface MapToolOptions {
  goalMode: boolean;
  setGoalMode: (on: boolean) => void;
  onGoal: (goal: Pose2D) => void;
  /** Place-robot mode: the next press-and-drag says where the robot stands. */
  placeMode: boolean;
  setPlaceMode: (on: boolean) => void;
  onPlace: (pose: Pose2D) => void;
  /** The zone kind being drawn, or null. */
  zoneDraw: Zone['kind'] | null;
  onZoneComplete?: (kind: Zone['kind'], polygon: number[]) => void;
  /** Escape while drawing a zone. */
  onZoneCancel?: () => void;
}

/** Keys the zone polygon tool takes while a zone is drawn (scene/tools/zone-tool.ts says what each does). */
export const ZONE_TOOL_KEYS = { finish: 'Enter', removeCorner: 'Backspace', cancel: 'Escape' } as const;
const ZONE_KEYS: readonly string[] = Object.values(ZONE_TOOL_KEYS);

/** Returns the tools' state for the stats element (read at each draw). */
export function useMapTools(scene: MapScene | null, opts: MapToolOptions): { current: ToolStats } {
  const latest = useRef(opts);
  useEffect(() => {
    latest.current = opts;
  });
  const { goalMode, placeMode, zoneDraw } = opts;

  const goalTool = useMemo(
    () =>
      scene &&
      new GoalTool({
        onGoal: (g) => latest.current.onGoal(g),
        onDisarm: () => latest.current.setGoalMode(false),
        robotPose: () => scene.robotPose,
      }),
    [scene],
  );
  const placeTool = useMemo(
    () =>
      scene &&
      new GoalTool({
        onGoal: (p) => latest.current.onPlace(p),
        onDisarm: () => latest.current.setPlaceMode(false),
        robotPose: () => scene.robotPose,
      }),
    [scene],
  );
  const zoneTool = useMemo(
    () =>
      scene && zoneDraw
        ? new ZoneTool(zoneDraw, {
            onComplete: (pts) => latest.current.onZoneComplete?.(zoneDraw, pts),
            onCancel: () => latest.current.onZoneCancel?.(),
          })
        : null,
    [scene, zoneDraw],
  );

  useEffect(() => {
    if (!scene || !goalTool || !placeTool) return;
    goalTool.setArmed(goalMode && !placeMode);
    placeTool.setArmed(placeMode);
    scene.setTool(zoneTool ?? (placeMode ? placeTool : goalTool));
  }, [scene, goalTool, placeTool, zoneTool, goalMode, placeMode]);

  // Keys for the zone tool (not while typing in a field).
  useEffect(() => {
    if (!scene || !zoneTool) return;
    const onKey = (e: KeyboardEvent) => {
      if (!ZONE_KEYS.includes(e.key)) return;
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA') return;
      if (scene.toolKey(e.key)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [scene, zoneTool]);

  const stats = useRef<ToolStats>({ goalMode: false, draftVertices: 0 });
  useEffect(() => {
    stats.current = {
      get goalMode() {
        return goalTool?.armed ?? false;
      },
      get draftVertices() {
        return zoneTool?.vertices ?? 0;
      },
    };
  }, [goalTool, zoneTool]);
  return stats;
}
