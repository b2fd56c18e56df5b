/**
 * The operator's speed limit, held by the console's main side (a fraction 0.05…1 of the
 * robot's limits, applied there to teleop and autonomy; a reload keeps it). While the slider
 * moves it shows the value asked for at once and sends it at most every `THROTTLE_MS`
 * (always the newest value last), then follows the snapshot again once the console has it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsole, useStore } from '../../state/context';

const THROTTLE_MS = 150;
/** How long the slider may show a value the console has not confirmed. */
const CONFIRM_MS = 2_000;

export interface SpeedLimitModel {
  /** The fraction to show: the one being set, else the console's; null before the first snapshot. */
  fraction: number | null;
  /** True while a value asked for is not yet in the snapshot. */
  pending: boolean;
  set: (fraction: number) => void;
  error: string | null;
}

export function useSpeedLimit(): SpeedLimitModel {
  const { api } = useConsole();
  const inForce = useStore((s) => s.snapshot?.speedLimit ?? null);
  const [draft, setDraft] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const out = useRef({ value: 0, sentAt: -Infinity, timer: 0, giveUp: 0 });

  const flush = useCallback(() => {
    const o = out.current;
    o.timer = 0;
    o.sentAt = performance.now();
    const fraction = o.value;
    api.invoke('setSpeedLimit', { fraction }).then(
      (r) => setError(r.ok ? null : r.error),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [api]);

  const set = useCallback(
    (fraction: number) => {
      const f = Math.max(0.05, Math.min(1, fraction));
      const o = out.current;
      setDraft(f);
      o.value = f;
      if (!o.timer) o.timer = window.setTimeout(flush, Math.max(0, THROTTLE_MS - (performance.now() - o.sentAt)));
      window.clearTimeout(o.giveUp);
      o.giveUp = window.setTimeout(() => setDraft(null), CONFIRM_MS);
    },
    [flush],
  );

  // The console has the value asked for: follow the snapshot again.
  useEffect(() => {
    if (draft !== null && inForce !== null && Math.abs(inForce - draft) < 1e-6 && !out.current.timer) setDraft(null);
  }, [draft, inForce]);

  // Unmounting mid-drag still delivers the newest value.
  useEffect(() => {
    const o = out.current;
    return () => {
      if (o.timer) {
        window.clearTimeout(o.timer);
        flush();
      }
      window.clearTimeout(o.giveUp);
    };
  }, [flush]);

  return { fraction: draft ?? inForce, pending: draft !== null, set, error };
}
