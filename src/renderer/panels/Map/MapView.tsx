import { useEffect, useRef, useState } from 'react';
import type { HeatmapView, Zone } from '../../../shared/api';
import type { Pose2D } from '../../../shared/geometry';
import type { FrameFeed } from '../../review/session';
import type { LayerVisibility } from '../../scene/layers/types';
import { scaleBar } from '../../scene/viewport';
import { useConsole } from '../../state/context';
import { localEvent } from '../../state/store';
import { toggleHelp } from '../Help/help-state';
import { useMapDisplay } from '../Layers/useMapDisplay';
import { writeStats } from './scene-stats';
import type { MapViewKey } from './useMapControls';
import { useMapScene } from './useMapScene';
import './map.css';
import { useMapTools } from './useMapTools';
import { useSceneFeed } from './useSceneFeed';

interface Props {
  layers: LayerVisibility;
  goalMode: boolean;
  setGoalMode: (on: boolean) => void;
  /** Follow in the view on screen (each view has its own). */
  follow: boolean;
  setFollow: (on: boolean) => void;
  /** Which view is on screen: the live view and the review keep separate view transforms. */
  viewKey?: MapViewKey;
  /** A recorded run's frames instead of the live snapshots (review); null for live. */
  feed?: FrameFeed | null;
  zones?: readonly Zone[];
  heatmap?: HeatmapView | null;
  /** Zone polygon tool: the kind being drawn, or null. */
  zoneDraw?: Zone['kind'] | null;
  onZoneComplete?: (kind: Zone['kind'], polygon: number[]) => void;
  /** Escape while drawing a zone. */
  onZoneCancel?: () => void;
}

/** The map: the pixi scene, its toolbar, hints, scale bar, cursor position and stats. */
export function MapView({ layers, goalMode, setGoalMode, follow, setFollow, viewKey = 'live', feed = null, zones, heatmap = null, zoneDraw = null, onZoneComplete, onZoneCancel }: Props) {
  const { api, store } = useConsole();
  const [display] = useMapDisplay();
  const hostRef = useRef<HTMLDivElement>(null);
  const statsRef = useRef<HTMLDivElement>(null);
  const cursorRef = useRef<HTMLSpanElement>(null);
  const scaleRef = useRef<HTMLDivElement>(null);

  const onGoal = (g: Pose2D) => {
    if (feed) return; // reviewing a recording: no goals to the live robot from this map
    // A refusal is said by the console itself (its event reaches the log once); only a goal
    // that never reached the console is this window's to report.
    api.invoke('setGoal', g).then(
      () => undefined,
      (e: unknown) => store.addEvent(localEvent('error', `Goal not sent: ${e instanceof Error ? e.message : String(e)}`)),
    );
  };

  const { scene, error } = useMapScene(hostRef, {
    onFollowChange: setFollow,
    onStats: (s) => {
      feed?.onDrawn(s.frameT);
      if (statsRef.current) writeStats(statsRef.current, s, toolStats.current);
      const bar = scaleRef.current;
      if (bar) {
        const b = scaleBar(s.view.scale);
        bar.style.width = `${Math.round(b.px)}px`;
        bar.textContent = b.label;
      }
    },
    onCursor: (p) => {
      if (cursorRef.current) cursorRef.current.textContent = p ? `${p.x.toFixed(2)}, ${p.y.toFixed(2)} m` : '';
    },
    onCreated: (sc) => {
      if (statsRef.current) {
        statsRef.current.dataset.renderer = sc.gpu.name;
        statsRef.current.dataset.software = String(sc.gpu.software);
      }
    },
  });
  // Place-robot mode: where the robot stands on the map (its odometry started at zero).
  const [placeMode, setPlaceMode] = useState(false);
  const onPlace = (p: Pose2D) => {
    if (feed) return;
    api.invoke('setRobotPose', p).then(
      (r) => {
        if (!r.ok) store.addEvent(localEvent('error', `Robot not placed: ${r.error}`));
      },
      (e: unknown) => store.addEvent(localEvent('error', `Robot not placed: ${e instanceof Error ? e.message : String(e)}`)),
    );
  };
  const toolStats = useMapTools(scene, { goalMode, setGoalMode, onGoal, placeMode, setPlaceMode, onPlace, zoneDraw, onZoneComplete, onZoneCancel });
  // Before the feed: the view is switched first, so what the feed sets (a run's extent) lands in the right one.
  useEffect(() => scene?.showView(viewKey), [scene, viewKey]);
  useSceneFeed(scene, store, feed);
  useEffect(() => scene?.setMapScheme(display.mapScheme), [scene, display.mapScheme]);

  useEffect(() => scene?.setZones(zones ?? []), [scene, zones]);
  useEffect(() => scene?.setHeatmap(heatmap), [scene, heatmap]);
  useEffect(() => scene?.setLayers(layers), [scene, layers]);
  useEffect(() => scene?.setFollow(follow), [scene, follow]);

  return (
    <main className="mapview">
      <div className="map-host" ref={hostRef} data-testid="map-host" />
      {error && <div className="map-error error">{error}</div>}
      <div className="map-toolbar">
        <button type="button" className="btn small" data-testid="fit-map" onClick={() => scene?.fit()} title={feed ? 'Fit the run: its path and goals (double-click)' : 'Fit the map (double-click)'}>
          Fit
        </button>
        <button type="button" className="btn small" onClick={() => scene?.zoomBy(1.25)} title="Zoom in (wheel)">
          +
        </button>
        <button type="button" className="btn small" onClick={() => scene?.zoomBy(0.8)} title="Zoom out (wheel)">
          −
        </button>
        <label className="check small" title="Keep the robot in view (F); dragging the map turns it off">
          <input type="checkbox" data-testid="follow-robot" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow robot
        </label>
        <button
          type="button"
          className={`btn small${goalMode ? ' primary' : ''}`}
          aria-pressed={goalMode}
          onClick={() => setGoalMode(!goalMode)}
          title="Set a goal: press at the position, drag toward the heading (G)"
        >
          Goal
        </button>
        {!feed && (
          <button
            type="button"
            className={`btn small${placeMode ? ' primary' : ''}`}
            data-testid="place-robot"
            aria-pressed={placeMode}
            onClick={() => setPlaceMode(!placeMode)}
            title="Place the robot on the map: press where it stands, drag toward where it faces"
          >
            Place robot
          </button>
        )}
        <button type="button" className="btn small help-button" data-testid="help-button" onClick={toggleHelp} title="Shortcuts and map legend (? or F1)" aria-label="Help: shortcuts and map legend">
          ?
        </button>
      </div>
      {goalMode && !placeMode && !feed && <div className="map-hint">Press at the goal, drag toward its heading, release. Esc cancels.</div>}
      {placeMode && !feed && <div className="map-hint" data-testid="place-hint">Press where the robot stands, drag toward where it faces, release.</div>}
      {zoneDraw && (
        <div className="map-hint" data-testid="zone-hint">
          Click the corners of the {zoneDraw} zone; click the first corner, double-click or press Enter to finish. Backspace removes a corner.
        </div>
      )}
      <div className="map-footer">
        <div ref={scaleRef} className="scale-bar" data-testid="scale-bar" />
        <span ref={cursorRef} className="cursor-pos" />
        {/* Always there (end-to-end tests read its data attributes); its text line shows only with the Layers panel's debug toggle. */}
        <div ref={statsRef} className={`scene-stats${display.debugStats ? '' : ' debug-hidden'}`} data-testid="scene-stats" data-debug={String(display.debugStats)} data-map-scheme={display.mapScheme} />
      </div>
    </main>
  );
}
