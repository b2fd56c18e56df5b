import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { placeMarkers, timeToX, xToTime } from '../../review/markers';
import type { ReviewSession } from '../../review/session';
import { fmtClock } from '../../review/clock';

/** The run's timeline: markers (click: jump and explain), a playhead, press-and-drag to scrub. */
export function Timeline({ session }: { session: ReviewSession }) {
  const t = useSyncExternalStore(session.subscribe, () => session.get().t);
  const { startT, endT, markers } = session.timeline;
  const trackRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [hover, setHover] = useState<number | null>(null);
  const dragging = useRef(false);

  useEffect(() => {
    const el = trackRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  const placed = useMemo(() => placeMarkers(markers, startT, endT, width, 8), [markers, startT, endT, width]);
  const timeAt = useCallback((clientX: number) => {
    const r = trackRef.current!.getBoundingClientRect();
    return xToTime(clientX - r.left, startT, endT, r.width);
  }, [startT, endT]);

  return (
    <div className="timeline" data-testid="timeline">
      <div
        className="timeline-track"
        ref={trackRef}
        data-testid="timeline-track"
        onPointerDown={(e) => {
          if ((e.target as HTMLElement).closest('.marker')) return;
          dragging.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          session.seek(timeAt(e.clientX));
        }}
        onPointerMove={(e) => {
          setHover(timeAt(e.clientX));
          if (dragging.current) session.seek(timeAt(e.clientX));
        }}
        onPointerUp={(e) => {
          dragging.current = false;
          e.currentTarget.releasePointerCapture?.(e.pointerId);
        }}
        onPointerLeave={() => setHover(null)}
      >
        <div className="timeline-fill" style={{ width: `${timeToX(t, startT, endT, width)}px` }} />
        {placed.map((p) => {
          const m = p.markers[0]!;
          const label = p.markers.map((x) => `${fmtClock(x.t - startT)} ${x.label}`).join('\n');
          return (
            <button
              key={m.id}
              type="button"
              className={`marker kind-${m.kind}${p.markers.length > 1 ? ' group' : ''}`}
              style={{ left: `${p.x}px` }}
              title={label}
              aria-label={label}
              data-testid={`marker-${m.id}`}
              data-t={m.t}
              onClick={() => {
                if (m.incidentId !== undefined) session.selectIncident(m.incidentId);
                else {
                  session.selectIncident(null);
                  session.seek(m.t);
                }
              }}
            >
              {p.markers.length > 1 ? p.markers.length : ''}
            </button>
          );
        })}
        <div className="playhead" style={{ left: `${timeToX(t, startT, endT, width)}px` }} data-testid="playhead" />
        {hover !== null && (
          <div className="timeline-hover mono" style={{ left: `${timeToX(hover, startT, endT, width)}px` }}>{fmtClock(hover - startT)}</div>
        )}
      </div>
    </div>
  );
}
