import { useStore } from '../../state/context';
import { Panel } from '../../ui/Panel';

export function PeoplePanel() {
  const people = useStore((s) => s.snapshot?.people ?? null);
  const list = people ?? [];
  return (
    <Panel title={`People (${list.length})`} testid="people-panel" defaultOpen={false}>
      {list.length === 0 ? (
        <div className="muted">Nobody tracked</div>
      ) : (
        <table className="table" data-testid="people-table">
          <thead>
            <tr>
              <th>id</th>
              <th>speed</th>
              <th>likely future</th>
              <th>risk</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => {
              const best = p.futures.reduce<(typeof p.futures)[number] | null>((b, f) => (!b || f.probability > b.probability ? f : b), null);
              const n = best?.points.length ?? 0;
              // A non-finite coordinate arrives as null over JSON: shown as unknown, never thrown on.
              const end = best && n >= 2 ? { x: best.points[n - 2], y: best.points[n - 1] } : null;
              return (
                <tr key={p.id}>
                  <td>#{p.id}</td>
                  <td>{Math.hypot(p.vx, p.vy).toFixed(2)} m/s</td>
                  <td>
                    {best && end && Number.isFinite(end.x) && Number.isFinite(end.y)
                      ? `→ (${end.x.toFixed(1)}, ${end.y.toFixed(1)}) ${Math.round(best.probability * 100)}%`
                      : '—'}
                  </td>
                  <td className={p.risk > 0.5 ? 'tone-bad' : p.risk > 0.1 ? 'tone-warn' : undefined}>{Math.round(p.risk * 100)}%</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
