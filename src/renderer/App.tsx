import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConsoleEvent, HeatmapView, Zone, ZoneInput } from '../shared/api';
import type { ApiHandle } from './api';
import { ConnectionPanel } from './components/ConnectionPanel';
import { EStop } from './components/EStop';
import { EventLog } from './components/EventLog';
import { GoalPanel } from './components/GoalPanel';
import { LayersPanel } from './components/LayersPanel';
import { MapView } from './components/MapView';
import { PeoplePanel } from './components/PeoplePanel';
import { StatusBar } from './components/StatusBar';
import { TeleopPanel } from './components/TeleopPanel';
import { TopBar, type ViewMode } from './components/TopBar';
import { IncidentPanel } from './components/review/IncidentPanel';
import { ReviewDock } from './components/review/ReviewDock';
import { RunsPanel } from './components/review/RunsPanel';
import { ZonesPanel } from './components/review/ZonesPanel';
import { openReviewSession, type ReviewSession } from './review/session';
import { DEFAULT_LAYERS, type LayerVisibility, type ZoneDrawKind } from './scene/MapScene';
import { Ctx, type ConsoleContext } from './state/context';
import type { Store } from './state/store';
import { TeleopController } from './teleop/controller';

const LAYERS_KEY = 'foresight.layers';

function loadLayers(): LayerVisibility {
  try {
    const raw = localStorage.getItem(LAYERS_KEY);
    if (raw) return { ...DEFAULT_LAYERS, ...(JSON.parse(raw) as Partial<LayerVisibility>) };
  } catch {
    // storage unavailable or corrupt: defaults
  }
  return { ...DEFAULT_LAYERS };
}

function localEvent(level: ConsoleEvent['level'], message: string): ConsoleEvent {
  return { t: performance.now() / 1000, level, message };
}

export function App({ handle, store }: { handle: ApiHandle; store: Store }) {
  const { api, transport } = handle;
  const [goalMode, setGoalMode] = useState(false);
  const [follow, setFollow] = useState(false);
  const [layers, setLayers] = useState<LayerVisibility>(loadLayers);
  const [mode, setMode] = useState<ViewMode>(() => (new URLSearchParams(window.location.search).get('view') === 'review' ? 'review' : 'live'));
  const [session, setSession] = useState<ReviewSession | null>(null);
  const [openRunId, setOpenRunId] = useState<number | null>(null);
  const [reviewError, setReviewError] = useState<string | null>(null);
  const [zones, setZones] = useState<Zone[]>([]);
  const [zoneDraw, setZoneDraw] = useState<ZoneDrawKind>(null);
  const [pendingZone, setPendingZone] = useState<{ kind: Zone['kind']; polygon: number[] } | null>(null);
  const [zoneError, setZoneError] = useState<string | null>(null);
  const [heatmap, setHeatmap] = useState<HeatmapView | null>(null);

  const emergencyStop = useCallback(() => {
    api.invoke('emergencyStop', null).then(
      (r) => {
        if (!r.ok) store.addEvent(localEvent('error', `Emergency stop refused: ${r.error}`));
      },
      (e: unknown) => store.addEvent(localEvent('error', `Emergency stop not delivered: ${String(e instanceof Error ? e.message : e)}`)),
    );
    store.addEvent(localEvent('warn', 'Emergency stop requested'));
  }, [api, store]);

  const teleop = useMemo(
    () =>
      new TeleopController({
        send: (input) => api.invoke('teleop', input),
        emergencyStop,
        shortcuts: {
          g: () => setGoalMode((v) => !v),
          f: () => setFollow((v) => !v),
          escape: () => setGoalMode(false),
        },
      }),
    [api, emergencyStop],
  );

  useEffect(() => {
    teleop.attach(window);
    return () => teleop.dispose();
  }, [teleop]);

  // API events → store; (re)load the map and the snapshot whenever the console connection opens.
  useEffect(() => {
    const offs = [
      api.on('snapshot', (s) => store.setSnapshot(s)),
      api.on('map', (m) => store.setMap(m)),
      api.on('event', (e) => store.addEvent(e)),
    ];
    const load = () => {
      api.invoke('getMap', null).then(
        (m) => store.setMap(m),
        (e: unknown) => store.addEvent(localEvent('warn', `Map not loaded: ${e instanceof Error ? e.message : String(e)}`)),
      );
      api.invoke('getSnapshot', null).then(
        (s) => store.setSnapshot(s),
        () => {},
      );
    };
    // The socket may have opened before this effect ran: take the current state first.
    store.setTransport(transport.status);
    let wasOpen = transport.status.state === 'open';
    if (wasOpen) load();
    offs.push(
      transport.onStatus((t) => {
        store.setTransport(t);
        const open = t.state === 'open';
        if (open && !wasOpen) {
          load();
          store.addEvent(localEvent('info', 'Connected to the console'));
        } else if (!open && wasOpen) {
          teleop.releaseAll();
          store.addEvent(localEvent('error', t.message));
        }
        wasOpen = open;
      }),
    );
    return () => offs.forEach((off) => off());
  }, [api, store, transport, teleop]);

  useEffect(() => {
    try {
      localStorage.setItem(LAYERS_KEY, JSON.stringify(layers));
    } catch {
      // ignore
    }
  }, [layers]);

  // Review: open a run (one session at a time), dispose the previous one.
  const openRun = useCallback((runId: number) => {
    setOpenRunId(runId);
    setReviewError(null);
    openReviewSession(api, runId).then(
      (s) => setSession((old) => {
        old?.dispose();
        return s;
      }),
      (e: unknown) => setReviewError(`Run ${runId} could not be opened: ${e instanceof Error ? e.message : String(e)}`),
    );
  }, [api]);
  useEffect(() => () => session?.dispose(), [session]);
  const onRunDeleted = useCallback((runId: number) => {
    if (runId === openRunId) {
      setSession((old) => {
        old?.dispose();
        return null;
      });
      setOpenRunId(null);
    }
  }, [openRunId]);
  // Pause playback when leaving the review.
  useEffect(() => {
    if (mode === 'live') session?.pause();
  }, [mode, session]);

  // Zones: load once the console is reachable; the heatmap when its layer is on.
  const reloadZones = useCallback(() => {
    api.invoke('listZones', null).then(
      (z) => {
        setZones(z);
        setZoneError(null);
      },
      (e: unknown) => setZoneError(`Zones not loaded: ${e instanceof Error ? e.message : String(e)}`),
    );
  }, [api]);
  useEffect(() => {
    if (transport.status.state === 'open') reloadZones();
    return transport.onStatus((t) => {
      if (t.state === 'open') reloadZones();
    });
  }, [transport, reloadZones]);
  useEffect(() => {
    if (!layers.heatmap) return;
    let cancelled = false;
    api.invoke('getHeatmap', null).then(
      (h) => !cancelled && setHeatmap(h),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, layers.heatmap, mode]);
  const saveZone = useCallback(async (z: ZoneInput): Promise<string | null> => {
    try {
      const r = await api.invoke('saveZone', z);
      if (!r.ok) return r.error;
      setPendingZone(null);
      reloadZones();
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [api, reloadZones]);
  const deleteZone = useCallback(async (id: number): Promise<string | null> => {
    try {
      const r = await api.invoke('deleteZone', { id });
      if (!r.ok) {
        setZoneError(r.error);
        return r.error;
      }
      reloadZones();
      return null;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      setZoneError(msg);
      return msg;
    }
  }, [api, reloadZones]);
  const onZoneComplete = useCallback((polygon: number[]) => {
    setPendingZone((prev) => prev ?? (zoneDraw ? { kind: zoneDraw, polygon } : null));
    setZoneDraw(null);
  }, [zoneDraw]);

  const ctx: ConsoleContext = useMemo(() => ({ api, store, teleop }), [api, store, teleop]);

  return (
    <Ctx.Provider value={ctx}>
      <div className={`app mode-${mode}`} data-mode={mode}>
        <TopBar estop={<EStop onStop={emergencyStop} />} mode={mode} setMode={setMode} />
        <aside className="sidebar">
          {mode === 'live' ? (
            <>
              <ConnectionPanel />
              <TeleopPanel />
              <GoalPanel goalMode={goalMode} setGoalMode={setGoalMode} />
            </>
          ) : (
            <>
              <RunsPanel openRunId={openRunId} onOpen={openRun} onDeleted={onRunDeleted} />
              {reviewError && <div className="error small pad">{reviewError}</div>}
              {session && <IncidentPanel key={session.run.id} session={session} />}
            </>
          )}
          <ZonesPanel
            zones={zones}
            drawing={zoneDraw}
            setDrawing={(k) => {
              setPendingZone(null);
              setZoneDraw(k);
            }}
            pending={pendingZone}
            onSave={saveZone}
            onCancelPending={() => setPendingZone(null)}
            onDelete={deleteZone}
            error={zoneError}
          />
          <LayersPanel layers={layers} setLayers={setLayers} />
          {mode === 'live' && <PeoplePanel />}
          {mode === 'live' && <EventLog />}
        </aside>
        <MapView
          layers={layers}
          goalMode={mode === 'live' && goalMode}
          setGoalMode={setGoalMode}
          follow={follow}
          setFollow={setFollow}
          feed={mode === 'review' ? session : null}
          zones={zones}
          heatmap={layers.heatmap ? heatmap : null}
          zoneDraw={zoneDraw}
          onZoneComplete={onZoneComplete}
        />
        {mode === 'review' && (session ? (
          <ReviewDock key={session.run.id} session={session} />
        ) : (
          <section className="review-dock empty muted" data-testid="review-dock-empty">Open a run from the list to replay it here.</section>
        ))}
        <StatusBar />
      </div>
    </Ctx.Provider>
  );
}
