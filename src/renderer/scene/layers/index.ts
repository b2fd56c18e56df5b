/** The map view's layers, one file each; `createLayers` gives them in draw order (bottom first). */
import { CandidatesLayer } from './candidates';
import { ChosenTrajectoryLayer } from './chosen';
import { GazeLayer } from './gaze';
import { GoalLayer } from './goal';
import { GlobalPathLayer } from './path';
import { HeatmapLayer } from './heatmap';
import { InflationLayer } from './inflation';
import { StaticMapLayer } from './map';
import { PeopleLayer } from './people';
import { RobotLayer } from './robot';
import { ScanLayer } from './scan';
import type { MapLayer } from './types';
import { WindowsLayer } from './windows';
import { ZonesLayer } from './zones';

export function createLayers(): MapLayer[] {
  return [
    new StaticMapLayer(),
    new HeatmapLayer(),
    new InflationLayer(),
    new ZonesLayer(),
    new WindowsLayer(),
    new GlobalPathLayer(),
    new CandidatesLayer(),
    new PeopleLayer(),
    new ChosenTrajectoryLayer(),
    new ScanLayer(),
    new GazeLayer(),
    new GoalLayer(),
    new RobotLayer(),
  ];
}

export { CandidatesLayer, ChosenTrajectoryLayer, GazeLayer, GlobalPathLayer, GoalLayer, HeatmapLayer, InflationLayer, PeopleLayer, RobotLayer, ScanLayer, StaticMapLayer, WindowsLayer, ZonesLayer };
export { MAX_CANDIDATES_DRAWN } from './candidates';
export { DEFAULT_FOOTPRINT } from './robot';
export { DEFAULT_LAYERS, LAYER_LABELS, type LayerName, type LayerVisibility, type MapLayer, type SceneFrame } from './types';
