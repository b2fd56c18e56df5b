import { useState } from 'react';
import { useConsole, useStore } from '../../state/context';

/** Always-visible emergency stop (also Space) and its release. */
export function EStop({ onStop }: { onStop: () => void }) {
  const { api, store } = useConsole();
  const engaged = useStore((s) => s.snapshot?.emergencyStop ?? false);
  const [busy, setBusy] = useState(false);
  const release = () => {
    setBusy(true);
    api
      .invoke('releaseEmergencyStop', null)
      .then(
        (r) => {
          if (!r.ok) store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Release refused: ${r.error}` });
        },
        (e: unknown) =>
          store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Release failed: ${e instanceof Error ? e.message : String(e)}` }),
      )
      .finally(() => setBusy(false));
  };
  return (
    <div className={`estop-box${engaged ? ' engaged' : ''}`}>
      {engaged && (
        <span className="estop-state" data-testid="estop-state">
          E-STOP ENGAGED
        </span>
      )}
      <button
        type="button"
        className="btn estop-release"
        data-testid="estop-release"
        disabled={!engaged || busy}
        onClick={release}
        title="Release the emergency stop (the robot stays still until commanded)"
      >
        Release
      </button>
      <button
        type="button"
        className="estop"
        data-testid="estop"
        onClick={onStop}
        title="Emergency stop (Space)"
        aria-label="Emergency stop"
      >
        <span className="estop-label">STOP</span>
        <span className="estop-key">Space</span>
      </button>
    </div>
  );
}
