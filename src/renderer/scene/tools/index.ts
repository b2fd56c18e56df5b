/** Pointer tools for the map view (see types.ts for the interface the scene routes through). */
export { GoalTool, GOAL_DRAG_MIN_PX, type GoalToolOptions } from './goal-tool';
export { goalFromDrag } from './goal-from-drag';
export { ToolRouter, CLICK_SLOP_PX, type CanvasPointer, type RouterView, type ToolRouterHost } from './router';
export { ZoneTool, ZONE_CLOSE_PX, type ZoneToolOptions } from './zone-tool';
export type { MapPointer, MapTool, PressClaim } from './types';
