import type { ReactNode } from 'react';
import { useStore } from '../state/context';

export function TopBar({ estop }: { estop: ReactNode }) {
  const robot = useStore((s) => s.snapshot?.robot ?? null);
  const notice = useStore((s) => s.snapshot?.notice ?? null);
  const transport = useStore((s) => s.transport);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Foresight
      </div>
      <div className="robot-name" title={robot ? `protocol v${robot.protocolVersion}` : undefined}>
        {robot ? robot.name : 'no robot'}
      </div>
      <div className="notice" data-testid="notice" role="status">
        {transport.state !== 'open' ? <span className="tone-bad">{transport.message}</span> : notice}
      </div>
      {estop}
    </header>
  );
}
