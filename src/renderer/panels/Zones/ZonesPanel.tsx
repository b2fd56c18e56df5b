import { useState } from 'react';
import { Panel } from '../../ui/Panel';
import type { ZonesModel } from './useZones';

/** Keep-out and slow zones: draw on the map, name, list, delete. */
export function ZonesPanel({ model }: { model: ZonesModel }) {
  const { zones, drawing, setDrawing, pending, save: onSave, cancelPending: onCancelPending, remove: onDelete, error } = model;
  const [name, setName] = useState('');
  const [speed, setSpeed] = useState('0.2');
  const [confirm, setConfirm] = useState<number | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  return (
    <Panel title={`Zones (${zones.length})`} testid="zones-panel" defaultOpen={false}>
      <div className="zone-tools">
        <button type="button" className={`btn small${drawing === 'keep-out' ? ' primary' : ''}`} data-testid="draw-keep-out" aria-pressed={drawing === 'keep-out'} onClick={() => setDrawing(drawing === 'keep-out' ? null : 'keep-out')}>
          Draw keep-out
        </button>
        <button type="button" className={`btn small${drawing === 'slow' ? ' primary' : ''}`} data-testid="draw-slow" aria-pressed={drawing === 'slow'} onClick={() => setDrawing(drawing === 'slow' ? null : 'slow')}>
          Draw slow zone
        </button>
      </div>
      {pending && (
        <form
          className="zone-form"
          onSubmit={(e) => {
            e.preventDefault();
            const v = Number(speed);
            void onSave({ name: name.trim() || (pending.kind === 'slow' ? 'Slow zone' : 'Keep-out'), kind: pending.kind, slowSpeed: pending.kind === 'slow' ? v : null, polygon: pending.polygon }).then((err) => {
              setFormError(err);
              if (!err) setName('');
            });
          }}
        >
          <div className="small">New {pending.kind} zone, {pending.polygon.length / 2} corners</div>
          <label>Name <input className="input" data-testid="zone-name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} autoFocus /></label>
          {pending.kind === 'slow' && (
            <label>Speed limit (m/s) <input className="input" data-testid="zone-speed" type="number" min={0.05} max={2} step={0.05} value={speed} onChange={(e) => setSpeed(e.target.value)} /></label>
          )}
          <div className="run-actions">
            <button type="submit" className="btn small primary" data-testid="zone-save">Save zone</button>
            <button type="button" className="btn small" onClick={onCancelPending}>Discard</button>
          </div>
          {formError && <div className="error small">{formError}</div>}
        </form>
      )}
      {error && <div className="error small">{error}</div>}
      <ul className="zone-list" data-testid="zone-list">
        {zones.map((z) => (
          <li key={z.id} className="zone-row">
            <span className={`swatch ${z.kind}`} aria-hidden="true" />
            <span className="zone-name">{z.name}</span>
            <span className="muted small">{z.kind === 'slow' ? `≤ ${(z.slowSpeed ?? 0).toFixed(2)} m/s` : 'keep out'}</span>
            {confirm === z.id ? (
              <>
                <button type="button" className="btn small danger" data-testid={`zone-delete-confirm-${z.id}`} onClick={() => void onDelete(z.id).then(() => setConfirm(null))}>Delete</button>
                <button type="button" className="btn small" onClick={() => setConfirm(null)}>Keep</button>
              </>
            ) : (
              <button type="button" className="btn small ghost" data-testid={`zone-delete-${z.id}`} title="Delete this zone" onClick={() => setConfirm(z.id)}>✕</button>
            )}
          </li>
        ))}
      </ul>
      {zones.length === 0 && !pending && <div className="muted small empty">No zones. Planners keep out of keep-out zones and slow down in slow zones.</div>}
    </Panel>
  );
}
