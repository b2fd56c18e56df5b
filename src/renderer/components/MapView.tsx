import { useEffect, useRef, useState } from 'react';
import type { Pose2D, Vec2 } from '../../shared/geometry';
import type { HeatmapView, Zone } from '../../shared/api';
import type { FrameFeed } from '../review/session';
import { MapScene, type LayerVisibility, type SceneStats, type ZoneDrawKind } from '../scene/MapScene';
import { scaleBar } from '../scene/viewport';
import { useConsole } from '../state/context';

/** Text for the stats element end-to-end tests read. */
export function statsText(s: SceneStats): string {
  const pose = s.pose ? `${s.pose.x.toFixed(2)} ${s.pose.y.toFixed(2)} ${s.pose.theta.toFixed(2)}` : 'none';
  const goal = s.goal ? `${s.goal.x.toFixed(2)} ${s.goal.y.toFixed(2)} ${s.goal.theta.toFixed(2)}` : 'none';
  return `map=${s.map ?? 'none'} pose=${pose} scan=${s.scan} path=${s.path} candidates=${s.candidates} chosen=${s.chosen} people=${s.people} futures=${s.futures} goal=${goal} draw=${s.drawHz}Hz ${s.drawMs.toFixed(1)}ms`;
}

function writeStats(el: HTMLElement, s: SceneStats): void {
  el.textContent = statsText(s);
  const d = el.dataset;
  d.map = s.map ?? '';
  d.poseX = s.pose ? s.pose.x.toFixed(3) : '';
  d.poseY = s.pose ? s.pose.y.toFixed(3) : '';
  d.poseTheta = s.pose ? s.pose.theta.toFixed(3) : '';
  d.scan = String(s.scan);
  d.path = String(s.path);
  d.candidates = String(s.candidates);
  d.chosen = String(s.chosen);
  d.people = String(s.people);
  d.futures = String(s.futures);
  d.goal = s.goal ? `${s.goal.x.toFixed(3)},${s.goal.y.toFixed(3)},${s.goal.theta.toFixed(3)}` : '';
  d.draws = String(s.draws);
  d.drawMs = s.drawMs.toFixed(2);
  // World → canvas px: sx = offsetX + scale·x, sy = offsetY − scale·y.
  d.view = JSON.stringify({ scale: +s.view.scale.toFixed(4), offsetX: +s.view.offsetX.toFixed(2), offsetY: +s.view.offsetY.toFixed(2) });
  d.follow = String(s.follow);
  d.goalMode = String(s.goalMode);
  d.frameT = s.frameT === null ? '' : s.frameT.toFixed(3);
  d.zones = String(s.zones);
  d.heatmapCells = String(s.heatmapCells);
  d.draftVertices = String(s.draftVertices);
}

/** `?fps=N` in the page URL caps the map redraw rate (tests, slow machines). */
function fpsFromUrl(search: string): number | undefined {
  const v = Number(new URLSearchParams(search).get('fps'));
  return Number.isFinite(v) && v > 0 ? Math.min(v, 240) : undefined;
}

interface Props {
  layers: LayerVisibility;
  goalMode: boolean;
  setGoalMode: (on: boolean) => void;
  follow: boolean;
  setFollow: (on: boolean) => void;
  /** A recorded run's frames instead of the live snapshots (review); null for live. */
  feed?: FrameFeed | null;
  zones?: readonly Zone[];
  heatmap?: HeatmapView | null;
  /** Zone polygon tool: the kind being drawn, or null. */
  zoneDraw?: ZoneDrawKind;
  onZoneDraft?: (points: number[]) => void;
  onZoneComplete?: (points: number[]) => void;
}

export function MapView({ layers, goalMode, setGoalMode, follow, setFollow, feed = null, zones, heatmap = null, zoneDraw = null, onZoneDraft, onZoneComplete }: Props) {
  const { api, store } = useConsole();
  const hostRef = useRef<HTMLDivElement>(null);
  const statsRef = useRef<HTMLDivElement>(null);
  const cursorRef = useRef<HTMLSpanElement>(null);
  const scaleRef = useRef<HTMLDivElement>(null);
  const [scene, setScene] = useState<MapScene | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Callbacks the scene calls: keep the latest closures without recreating the scene.
  const cbRef = useRef({
    setGoalMode, setFollow, onGoal: (_g: Pose2D) => {}, feed: null as FrameFeed | null,
    onZoneDraft: undefined as ((p: number[]) => void) | undefined, onZoneComplete: undefined as ((p: number[]) => void) | undefined,
  });
  useEffect(() => {
    cbRef.current = {
      setGoalMode,
      setFollow,
      feed,
      onZoneDraft,
      onZoneComplete,
      onGoal: (g: Pose2D) => {
        if (feed) return; // reviewing a recording: no goals to the live robot from this map
        api.invoke('setGoal', g).then(
          (r) => {
            if (!r.ok) store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Goal refused: ${r.error}` });
          },
          (e: unknown) =>
            store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Goal not sent: ${e instanceof Error ? e.message : String(e)}` }),
        );
      },
    };
  });

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let cancelled = false;
    let created: MapScene | null = null;
    MapScene.create(host, {
      onGoal: (g) => cbRef.current.onGoal(g),
      onFollowChange: (on) => cbRef.current.setFollow(on),
      onGoalModeChange: (on) => cbRef.current.setGoalMode(on),
      onZoneDraft: (p) => cbRef.current.onZoneDraft?.(p),
      onZoneComplete: (p) => cbRef.current.onZoneComplete?.(p),
      onStats: (s) => {
        cbRef.current.feed?.onDrawn(s.frameT);
        if (statsRef.current) writeStats(statsRef.current, s);
        const bar = scaleRef.current;
        if (bar) {
          const b = scaleBar(s.view.scale);
          bar.style.width = `${Math.round(b.px)}px`;
          bar.textContent = b.label;
        }
      },
      onCursor: (p: Vec2 | null) => {
        if (cursorRef.current) cursorRef.current.textContent = p ? `${p.x.toFixed(2)}, ${p.y.toFixed(2)} m` : '';
      },
    }, { maxFps: fpsFromUrl(window.location.search) }).then(
      (sc) => {
        if (cancelled) {
          sc.destroy();
          return;
        }
        created = sc;
        if (statsRef.current) {
          statsRef.current.dataset.renderer = sc.gpu.name;
          statsRef.current.dataset.software = String(sc.gpu.software);
        }
        setScene(sc);
      },
      (e: unknown) => {
        if (!cancelled) setError(`The map view could not start (WebGL unavailable?): ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return () => {
      cancelled = true;
      created?.destroy();
      setScene(null);
    };
  }, []);

  // Feed the scene straight from the store (live) or from the review feed: no React render per snapshot.
  useEffect(() => {
    if (!scene) return;
    if (feed) {
      scene.setMap(store.get().map);
      let lastMap = store.get().map;
      const offStore = store.subscribe(() => {
        const st = store.get();
        if (st.map !== lastMap) {
          lastMap = st.map;
          scene.setMap(st.map);
        }
      });
      const detach = feed.attach({ setSnapshot: (s, urgent) => scene.setSnapshot(s, urgent) });
      return () => {
        offStore();
        detach();
      };
    }
    let lastSnap = store.get().snapshot;
    let lastMap = store.get().map;
    scene.setMap(lastMap);
    if (lastSnap) scene.setSnapshot(lastSnap);
    return store.subscribe(() => {
      const st = store.get();
      if (st.map !== lastMap) {
        lastMap = st.map;
        scene.setMap(st.map);
      }
      if (st.snapshot !== lastSnap) {
        lastSnap = st.snapshot;
        if (st.snapshot) scene.setSnapshot(st.snapshot);
      }
    });
  }, [scene, store, feed]);

  useEffect(() => scene?.setZones(zones ?? []), [scene, zones]);
  useEffect(() => scene?.setHeatmap(heatmap), [scene, heatmap]);
  useEffect(() => scene?.setZoneDraw(zoneDraw), [scene, zoneDraw]);
  useEffect(() => {
    if (!scene || !zoneDraw) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === 'Backspace') {
        const tag = (e.target as HTMLElement | null)?.tagName;
        if (tag === 'INPUT' || tag === 'TEXTAREA') return;
        e.preventDefault();
        scene.zoneKey(e.key);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [scene, zoneDraw]);

  useEffect(() => scene?.setLayers(layers), [scene, layers]);
  useEffect(() => scene?.setFollow(follow), [scene, follow]);
  useEffect(() => scene?.setGoalMode(goalMode), [scene, goalMode]);

  return (
    <main className="mapview">
      <div className="map-host" ref={hostRef} data-testid="map-host" />
      {error && <div className="map-error error">{error}</div>}
      <div className="map-toolbar">
        <button type="button" className="btn small" data-testid="fit-map" onClick={() => scene?.fitToMap()} title="Fit the map (double-click)">
          Fit
        </button>
        <button type="button" className="btn small" onClick={() => scene?.zoomBy(1.25)} title="Zoom in (wheel)">
          +
        </button>
        <button type="button" className="btn small" onClick={() => scene?.zoomBy(0.8)} title="Zoom out (wheel)">
          −
        </button>
        <label className="check small" title="Keep the robot centred (F)">
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
      </div>
      {goalMode && !feed && <div className="map-hint">Press at the goal, drag toward its heading, release. Esc cancels.</div>}
      {zoneDraw && (
        <div className="map-hint" data-testid="zone-hint">
          Click the corners of the {zoneDraw} zone; click the first corner, double-click or press Enter to finish. Backspace removes a corner.
        </div>
      )}
      <div className="map-footer">
        <div ref={scaleRef} className="scale-bar" data-testid="scale-bar" />
        <span ref={cursorRef} className="cursor-pos" />
        <div ref={statsRef} className="scene-stats" data-testid="scene-stats" />
      </div>
    </main>
  );
}
