/**
 * Pointer tools on the map view. The scene turns canvas pointer events into `MapPointer`s
 * (map frame, metres) and a `ToolRouter` hands them to the active tool; a tool never sees
 * the DOM or pixi's stage, only these events and a Graphics to draw its preview into.
 *
 * A press is offered to the tool first (`press`), which answers how it takes it:
 *  - 'drag': the tool owns the gesture; moves go to `drag`, the release to `release`
 *    (goal: press at the position, drag toward the heading; an initial-pose tool alike);
 *  - 'click': the tool wants a click; if the pointer moves past a few pixels the gesture
 *    becomes a pan of the view instead, else the release goes to `click` (zone corners);
 *  - null: not for this tool; the view pans.
 */
import type { Graphics } from 'pixi.js';
import type { Vec2 } from '../../../shared/geometry';

export interface MapPointer {
  /** Pointer position in the map frame (m). */
  world: Vec2;
  /** Pointer position on the canvas (CSS px), for click slop. */
  screen: Vec2;
  /** Metres per screen pixel at the current zoom, for screen-space distances. */
  px: number;
  /** 0 primary, 1 middle, 2 secondary. */
  button: number;
  shiftKey: boolean;
  pointerId: number;
}

export type PressClaim = 'drag' | 'click' | null;

export interface MapTool {
  /** Canvas cursor while this tool is active and no pan is under way. */
  readonly cursor: string;
  press(e: MapPointer): PressClaim;
  /** A move of a gesture this tool owns ('drag'). */
  drag?(e: MapPointer): void;
  /** The end of a gesture this tool owns ('drag'). */
  release?(e: MapPointer): void;
  /** A 'click' press released without moving. */
  click?(e: MapPointer): void;
  /** Every pointer move over the map (hover); returns true when the preview changed. */
  hover?(e: MapPointer): boolean;
  /** A double click; returns true if taken (otherwise the view fits the map). */
  doubleClick?(e: MapPointer): boolean;
  /** A key while this tool is active (Enter, Backspace, Escape…); returns true if taken. */
  key?(key: string): boolean;
  /** The gesture this tool owned was lost (pointer cancel, tool switched). */
  cancel?(): void;
  /** The tool's preview, drawn above every layer in the map frame; `px` is one screen pixel in metres. */
  draw?(g: Graphics, px: number): void;
}
