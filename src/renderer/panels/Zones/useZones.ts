/**
 * Zone state, owned by the Zones panel and shared with the map view: the stored zones
 * (loaded whenever the console connection opens), the polygon tool's kind, and a closed
 * polygon waiting for its name.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ForesightApi, Zone, ZoneInput } from '../../../shared/api';
import type { TransportMonitor } from '../../api';

/** Zone drawing: the kind being drawn, or null when the tool is off. */
export type ZoneDrawKind = Zone['kind'] | null;

export interface PendingZone {
  kind: Zone['kind'];
  polygon: number[];
}

export interface ZonesModel {
  zones: Zone[];
  /** The polygon tool: the kind being drawn, or null. */
  drawing: ZoneDrawKind;
  /** Starts or ends the polygon tool (drops a polygon waiting for its name). */
  setDrawing: (k: ZoneDrawKind) => void;
  /** A closed polygon waiting for its name (and speed), or null. */
  pending: PendingZone | null;
  /** The map's polygon tool closed a polygon. */
  complete: (kind: Zone['kind'], polygon: number[]) => void;
  cancelPending: () => void;
  /** Stores a zone; resolves to an error message, or null. */
  save: (z: ZoneInput) => Promise<string | null>;
  /** Deletes a zone; resolves to an error message, or null. */
  remove: (id: number) => Promise<string | null>;
  error: string | null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function useZones(api: ForesightApi, transport: TransportMonitor): ZonesModel {
  const [zones, setZones] = useState<Zone[]>([]);
  const [drawing, setDrawingState] = useState<ZoneDrawKind>(null);
  const [pending, setPending] = useState<PendingZone | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    api.invoke('listZones', null).then(
      (z) => {
        setZones(z);
        setError(null);
      },
      (e: unknown) => setError(`Zones not loaded: ${message(e)}`),
    );
  }, [api]);

  // Load once the console is reachable, and again after every reconnect.
  useEffect(() => {
    if (transport.status.state === 'open') reload();
    return transport.onStatus((t) => {
      if (t.state === 'open') reload();
    });
  }, [transport, reload]);

  const save = useCallback(async (z: ZoneInput): Promise<string | null> => {
    try {
      const r = await api.invoke('saveZone', z);
      if (!r.ok) return r.error;
      setPending(null);
      reload();
      return null;
    } catch (e) {
      return message(e);
    }
  }, [api, reload]);

  const remove = useCallback(async (id: number): Promise<string | null> => {
    try {
      const r = await api.invoke('deleteZone', { id });
      if (!r.ok) {
        setError(r.error);
        return r.error;
      }
      reload();
      return null;
    } catch (e) {
      setError(message(e));
      return message(e);
    }
  }, [api, reload]);

  const setDrawing = useCallback((k: ZoneDrawKind) => {
    setPending(null);
    setDrawingState(k);
  }, []);

  const complete = useCallback((kind: Zone['kind'], polygon: number[]) => {
    setPending((prev) => prev ?? { kind, polygon });
    setDrawingState(null);
  }, []);

  const cancelPending = useCallback(() => setPending(null), []);

  return useMemo(
    () => ({ zones, drawing, setDrawing, pending, complete, cancelPending, save, remove, error }),
    [zones, drawing, setDrawing, pending, complete, cancelPending, save, remove, error],
  );
}
