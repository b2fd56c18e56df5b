import { useSyncExternalStore } from 'react';
import { RATES, fmtClock } from '../../review/clock';
import type { ReviewSession } from '../../review/session';
import { adjacentMarker } from '../../review/markers';

/** Play/pause, step, rate, marker jumps, and the clock. */
export function Transport({ session }: { session: ReviewSession }) {
  const st = useSyncExternalStore(session.subscribe, session.get);
  const { startT, endT, markers } = session.timeline;
  const lastSeek = st.seekMs.length > 0 ? st.seekMs[st.seekMs.length - 1] : null;
  const jump = (dir: 1 | -1) => {
    const m = adjacentMarker(markers, st.t, dir);
    if (!m) return;
    if (m.incidentId !== undefined) session.selectIncident(m.incidentId);
    else session.seek(m.t);
  };
  return (
    <div className="transport">
      <button type="button" className="btn small" onClick={() => jump(-1)} title="Previous marker" data-testid="prev-marker">‹ ⚑</button>
      <button type="button" className="btn small" onClick={() => session.step(-1)} title="Step back 0.1 s" data-testid="step-back">◀︎|</button>
      <button type="button" className="btn small primary play" onClick={() => session.toggle()} data-testid="play" aria-pressed={st.playing} title={st.playing ? 'Pause' : 'Play'}>
        {st.playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button type="button" className="btn small" onClick={() => session.step(1)} title="Step forward 0.1 s" data-testid="step-fwd">|▶︎</button>
      <button type="button" className="btn small" onClick={() => jump(1)} title="Next marker" data-testid="next-marker">⚑ ›</button>
      <select className="input rate" value={st.rate} onChange={(e) => session.setRate(Number(e.target.value))} data-testid="rate" title="Playback speed">
        {RATES.map((r) => (
          <option key={r} value={r}>{r}×</option>
        ))}
      </select>
      <span className="mono clock" data-testid="review-clock" data-t={st.t.toFixed(3)} data-shown-t={st.shownT?.toFixed(3) ?? ''}>
        {fmtClock(st.t - startT)} / {fmtClock(endT - startT)}
      </span>
      {st.loading && <span className="muted small">loading…</span>}
      {st.error && <span className="error small">{st.error}</span>}
      <span
        className="muted small mono seek-ms"
        data-testid="seek-ms"
        data-seek-ms={JSON.stringify(st.seekMs.map((x) => Math.round(x * 10) / 10))}
        title="Seek to render: time from a seek until the map has drawn that instant"
      >
        {lastSeek !== null ? `seek ${lastSeek.toFixed(0)} ms` : ''}
      </span>
    </div>
  );
}
