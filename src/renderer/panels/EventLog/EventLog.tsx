import { useStore } from '../../state/context';
import { Panel } from '../../ui/Panel';

export function EventLog() {
  const events = useStore((s) => s.events);
  return (
    <Panel title="Events" testid="event-log">
      {events.length === 0 ? (
        <div className="muted">Nothing yet</div>
      ) : (
        <ul className="events">
          {events.slice(0, 20).map((e) => (
            <li key={e.seq} className={`ev-${e.level}`}>
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
