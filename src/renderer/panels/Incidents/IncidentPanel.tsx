import { useSyncExternalStore } from 'react';
import type { ReviewSession } from '../../review/session';
import { fmtClock } from '../../review/clock';
import { Panel } from '../../ui/Panel';
import { STAGE_WORDS } from './stage-words';
import { incidentBlame, incidentEvidence, incidentLabel } from '../../../shared/incidents';

const VERDICT_MARK = { ok: '✓', failed: '✗', 'no-data': '?', 'not-applicable': '–' } as const;

/** The incidents of the open run; the selected one explained (what happened, which stage, evidence). */
export function IncidentPanel({ session }: { session: ReviewSession }) {
  const selected = useSyncExternalStore(session.subscribe, () => session.get().selectedIncident);
  const incidents = session.incidents;
  const inc = incidents.find((i) => i.id === selected) ?? null;
  const t0 = session.timeline.startT;
  return (
    <Panel title={`Incidents (${incidents.length})`} testid="incidents-panel">
      {incidents.length === 0 && <div className="muted small empty">No incidents detected in this run.</div>}
      <ul className="incident-list">
        {incidents.map((i) => (
          <li key={i.id}>
            <button
              type="button"
              className={`incident-row${i.id === selected ? ' selected' : ''}`}
              data-testid={`incident-${i.id}`}
              onClick={() => session.selectIncident(i.id)}
              title="Jump there"
            >
              <span className={`dot kind-${i.intervention ?? i.kind}`} aria-hidden="true" />
              <span className="mono">{fmtClock(i.start - t0)}</span>
              <span className="incident-label">{incidentLabel(i)}</span>
              <span className="muted small">{STAGE_WORDS[incidentBlame(i)]}</span>
            </button>
          </li>
        ))}
      </ul>
      {inc && (
        <div className="explanation" data-testid="incident-explanation" role="region" aria-label="Incident explanation">
          <div className="explanation-head">
            <b>{incidentLabel(inc)}</b>
            <span className="mono muted">
              at {fmtClock(inc.start - t0)}
              {inc.end > inc.start + 0.05 ? ` for ${(inc.end - inc.start).toFixed(1)} s` : ''}
              {inc.severity ? ` · ${inc.severity}` : ''}
            </span>
          </div>
          <div className="stage-line">
            Earliest failing stage: <b data-testid="incident-stage">{STAGE_WORDS[incidentBlame(inc)]}</b>
          </div>
          <p className="summary" data-testid="incident-summary">{inc.summary}</p>
          {incidentEvidence(inc).length > 0 && (
            <ul className="evidence" data-testid="incident-evidence">
              {incidentEvidence(inc).map((e, k) => (
                <li key={k}>{e}</li>
              ))}
            </ul>
          )}
          {inc.trace && inc.trace.some((c) => c.verdict !== 'not-applicable') && (
            <ol className="trace" data-testid="incident-trace" aria-label="Stage by stage">
              {inc.trace.filter((c) => c.verdict !== 'not-applicable').map((c) => (
                <li key={c.stage} className={`verdict-${c.verdict}`}>
                  <span className="verdict" aria-label={c.verdict}>{VERDICT_MARK[c.verdict]}</span>
                  <b>{STAGE_WORDS[c.stage] ?? c.stage}</b> <span>{c.text}</span>
                </li>
              ))}
            </ol>
          )}
          {inc.pose && (
            <div className="muted small mono">
              robot at {inc.pose.x.toFixed(2)}, {inc.pose.y.toFixed(2)} m
            </div>
          )}
        </div>
      )}
    </Panel>
  );
}
