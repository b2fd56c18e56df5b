/**
 * Timeline marker placement: where each marker sits on a track of a given pixel width, and
 * how markers too close to tell apart are grouped so each stays clickable.
 */
import type { TimelineMarker } from '../../shared/api';

export interface PlacedMarker {
  /** Left offset of the marker's centre, px. */
  x: number;
  /** The markers at this spot, earliest first (one unless several fall within `minGapPx`). */
  markers: TimelineMarker[];
}

/** Pixel position of run time `t` on a track `width` px wide (clamped to the track). */
export function timeToX(t: number, startT: number, endT: number, width: number): number {
  const d = endT - startT;
  if (!(d > 0)) return 0;
  return Math.min(width, Math.max(0, ((t - startT) / d) * width));
}

/** Run time at pixel `x` (clamped to the run). */
export function xToTime(x: number, startT: number, endT: number, width: number): number {
  if (!(width > 0)) return startT;
  return startT + Math.min(1, Math.max(0, x / width)) * (endT - startT);
}

/** Places markers, merging any closer than `minGapPx` to the previous group's first marker. */
export function placeMarkers(markers: readonly TimelineMarker[], startT: number, endT: number, width: number, minGapPx = 6): PlacedMarker[] {
  const sorted = [...markers].sort((a, b) => a.t - b.t);
  const out: PlacedMarker[] = [];
  for (const m of sorted) {
    const x = timeToX(m.t, startT, endT, width);
    const last = out[out.length - 1];
    if (last && x - last.x < minGapPx) last.markers.push(m);
    else out.push({ x, markers: [m] });
  }
  return out;
}

/** The marker after (dir 1) or before (dir −1) run time `t`, beyond `epsS`; null when none. */
export function adjacentMarker(markers: readonly TimelineMarker[], t: number, dir: 1 | -1, epsS = 0.05): TimelineMarker | null {
  let best: TimelineMarker | null = null;
  for (const m of markers) {
    if (dir > 0 ? m.t > t + epsS : m.t < t - epsS) {
      if (!best || (dir > 0 ? m.t < best.t : m.t > best.t)) best = m;
    }
  }
  return best;
}
