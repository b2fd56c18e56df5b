import { useEffect, useState } from 'react';
import type { MapFileInfo } from '../../../shared/api';
import { useConsole, useStore } from '../../state/context';
import { localEvent } from '../../state/store';
import { Panel } from '../../ui/Panel';

/**
 * Maps: build one while driving (SLAM), save it, load a saved one and localize on it. The
 * status bar always shows how sure the console is of where the robot is; 'Place robot' on
 * the map toolbar gives the localizer its start.
 */
export function MapsPanel() {
  const { api, store } = useConsole();
  const mapName = useStore((st) => st.map?.name ?? null);
  const loc = useStore((st) => st.snapshot?.localization ?? null);
  const [maps, setMaps] = useState<MapFileInfo[]>([]);
  const [chosen, setChosen] = useState('');
  const [saveName, setSaveName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => {
    // A console without maps (or an older one) answers something else: no list, not a crash.
    api.invoke('listMaps', null).then((list) => setMaps(Array.isArray(list) ? list : []), () => setMaps([]));
  };
  useEffect(refresh, [api]);

  const run = async (what: string, call: () => Promise<{ ok: boolean; error?: string }>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call();
      if (!r.ok) {
        setError(r.error ?? `${what} failed`);
        store.addEvent(localEvent('error', `${what}: ${r.error ?? 'failed'}`));
      }
      refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const mapping = loc?.mode === 'mapping';
  const current = maps.find((m) => m.name === mapName);
  return (
    <Panel title={`Map${mapName ? `: ${mapName}` : ''}`} testid="maps-panel" defaultOpen={false}>
      <div className="zone-tools">
        <button type="button" className="btn small" data-testid="new-map" disabled={busy} onClick={() => void run('New map', () => api.invoke('startMapping', { extend: false }))} title="Build a new map while you drive (the robot's place now is its origin)">
          New map
        </button>
        <button type="button" className="btn small" data-testid="extend-map" disabled={busy || !current?.extendable} onClick={() => void run('Extend map', () => api.invoke('startMapping', { extend: true }))} title={current?.extendable ? 'Continue this map: drive where it is not mapped yet' : 'Only maps built here (saved with their pose graph) can be extended'}>
          Extend
        </button>
      </div>
      {mapping && (
        <form
          className="zone-form"
          onSubmit={(e) => {
            e.preventDefault();
            const name = saveName.trim();
            void run('Save map', async () => {
              const r = await api.invoke('saveMap', { name });
              return r.ok ? { ok: true } : r;
            });
          }}
        >
          <label>
            Save as <input className="input" data-testid="map-name" value={saveName} maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" placeholder="home" onChange={(e) => setSaveName(e.target.value)} />
          </label>
          <button type="submit" className="btn small primary" data-testid="save-map" disabled={busy || saveName.trim() === ''}>Save map</button>
        </form>
      )}
      <div className="zone-form">
        <label>
          Saved maps{' '}
          <select className="input" data-testid="map-choice" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">choose…</option>
            {maps.map((m) => (
              <option key={m.name} value={m.name}>{m.name}{m.source === 'built-in' ? ' (built-in)' : ''}</option>
            ))}
          </select>
        </label>
        <button type="button" className="btn small" data-testid="load-map" disabled={busy || chosen === ''} onClick={() => void run('Load map', () => api.invoke('loadMap', { name: chosen }))}>
          Load and localize
        </button>
      </div>
      <div className="zone-tools">
        <button type="button" className="btn small" data-testid="localize-global" disabled={busy || mapping} onClick={() => void run('Localize', () => api.invoke('setLocalization', { mode: 'global' }))} title="The robot's place is unknown: search the whole map (drive a little while it searches)">
          Find robot on map
        </button>
        <button type="button" className="btn small" data-testid="localize-off" disabled={busy || loc?.mode === 'off'} onClick={() => void run('Localization off', () => api.invoke('setLocalization', { mode: 'off' }))} title="Odometry only: the pose drifts as the wheels slip">
          Odometry only
        </button>
      </div>
      {loc && <div className="small muted" data-testid="localization-reason">{loc.reason}</div>}
      {error && <div className="error small" data-testid="maps-error">{error}</div>}
    </Panel>
  );
}
