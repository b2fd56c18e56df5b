import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConsoleEvent } from '../shared/api';
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
import { TopBar } from './components/TopBar';
import { DEFAULT_LAYERS, type LayerVisibility } from './scene/MapScene';
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

  const ctx: ConsoleContext = useMemo(() => ({ api, store, teleop }), [api, store, teleop]);

  return (
    <Ctx.Provider value={ctx}>
      <div className="app">
        <TopBar estop={<EStop onStop={emergencyStop} />} />
        <aside className="sidebar">
          <ConnectionPanel />
          <TeleopPanel />
          <GoalPanel goalMode={goalMode} setGoalMode={setGoalMode} />
          <LayersPanel layers={layers} setLayers={setLayers} />
          <PeoplePanel />
          <EventLog />
        </aside>
        <MapView
          layers={layers}
          goalMode={goalMode}
          setGoalMode={setGoalMode}
          follow={follow}
          setFollow={setFollow}
        />
        <StatusBar />
      </div>
    </Ctx.Provider>
  );
}
