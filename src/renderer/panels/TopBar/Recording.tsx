/**
 * Whether this console is writing the run log, impossible to miss: a small red "● REC run 12"
 * in the top bar while recording; when nothing is recorded, a red banner across the console
 * ("NOT RECORDING — why") that can be hidden, leaving a red badge in the top bar that stays.
 */
import { useState } from 'react';
import type { RecordingView } from '../../../shared/api';
import { useStore } from '../../state/context';

function useRecording(): RecordingView | null {
  return useStore((s) => s.snapshot?.recording ?? null);
}

/** The top bar's recording state; always there once the console has said. */
export function RecordingIndicator() {
  const rec = useRecording();
  if (!rec) return null;
  if (rec.state === 'recording') {
    return (
      <div
        className={`rec rec-on${rec.reason ? ' rec-degraded' : ''}`}
        data-testid="recording-indicator"
        data-state="recording"
        title={rec.reason ? `Recording, but ${rec.reason}` : 'Everything is being recorded to the run log'}
      >
        <span className="rec-dot" aria-hidden="true" />
        REC{rec.runId !== null && <span className="rec-run"> run {rec.runId}</span>}
        {rec.reason && <span className="rec-problem"> · degraded</span>}
      </div>
    );
  }
  if (rec.state === 'off') {
    return (
      <div className="rec rec-off" data-testid="recording-indicator" data-state="off" title={`NOT RECORDING — ${rec.reason ?? 'no run log'}`} role="alert">
        NOT RECORDING
      </div>
    );
  }
  return (
    <div className="rec rec-ready" data-testid="recording-indicator" data-state="ready" title="The run log is open: a run starts when a robot connects">
      not recording (no robot)
    </div>
  );
}

/** The banner across the console while nothing is recorded; hiding it leaves the top bar's badge. */
export function RecordingBanner() {
  const rec = useRecording();
  const reason = rec?.state === 'off' ? (rec.reason ?? 'no run log is open') : null;
  // Hidden for this reason only: a new reason shows the banner again.
  const [hiddenFor, setHiddenFor] = useState<string | null>(null);
  if (reason === null || hiddenFor === reason) return null;
  return (
    <div className="rec-banner" data-testid="recording-banner" role="alert" title={`NOT RECORDING — ${reason}`}>
      <span className="rec-banner-title">NOT RECORDING</span>
      <span className="rec-banner-reason" data-testid="recording-reason">— {reason.replace(/[.\s]+$/, '')}. Nothing of this session goes into the run log.</span>
      <button type="button" className="btn small rec-banner-hide" data-testid="recording-banner-hide" onClick={() => setHiddenFor(reason)} title="Hide this banner; the red NOT RECORDING badge stays in the top bar">
        Hide
      </button>
    </div>
  );
}
