import type { ReactNode } from 'react';
import { useStore } from '../../state/context';
import { RecordingIndicator } from './Recording';
import type { ViewMode } from './view-mode';

export function TopBar({ estop, mode, setMode }: { estop: ReactNode; mode?: ViewMode; setMode?: (m: ViewMode) => void }) {
  const robot = useStore((s) => s.snapshot?.robot ?? null);
  const notice = useStore((s) => s.snapshot?.notice ?? null);
  const transport = useStore((s) => s.transport);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Foresight</span>
      </div>
      {mode && setMode && (
        <div className="mode-switch" role="tablist" aria-label="View">
          <button type="button" role="tab" aria-selected={mode === 'live'} className={mode === 'live' ? 'on' : ''} data-testid="mode-live" onClick={() => setMode('live')}>
            Live
          </button>
          <button type="button" role="tab" aria-selected={mode === 'review'} className={mode === 'review' ? 'on' : ''} data-testid="mode-review" onClick={() => setMode('review')}>
            Review
          </button>
        </div>
      )}
      <div className="robot-name" title={robot ? `protocol v${robot.protocolVersion}` : undefined}>
        {robot ? robot.name : 'no robot'}
      </div>
      <div className="notice" data-testid="notice" role="status">
        {transport.state !== 'open' ? <span className="tone-bad">{transport.message}</span> : notice}
      </div>
      <RecordingIndicator />
      {/* Last and never shrunk: the STOP button stays on screen at any width. */}
      {estop}
    </header>
  );
}
