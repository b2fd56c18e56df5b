import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunSeries } from '../../../shared/api';
import type { ReviewSession } from '../../review/session';

interface PlotDef {
  key: 'speed' | 'clearance' | 'cycleMs' | 'risk';
  label: string;
  unit: string;
  color: string;
  digits: number;
}

const PLOTS: PlotDef[] = [
  { key: 'speed', label: 'Speed', unit: 'm/s', color: '#58a6ff', digits: 2 },
  { key: 'clearance', label: 'Clearance', unit: 'm', color: '#3fb950', digits: 2 },
  { key: 'cycleMs', label: 'Planner cycle', unit: 'ms', color: '#d2a8ff', digits: 1 },
  { key: 'risk', label: 'Risk', unit: '', color: '#f85149', digits: 2 },
];

const PLOT_H = 62;

/** Tick labels with just enough decimals for the tick spacing. */
function tickLabels(vals: number[]): string[] {
  const step = vals.length > 1 ? Math.abs(vals[1]! - vals[0]!) : 1;
  const decimals = step > 0 ? Math.min(3, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  return vals.map((v) => v.toFixed(decimals));
}

/** Speed, clearance, planner cycle time and risk over the run (uPlot), with a playhead synced to playback; click to seek. */
export function Plots({ session, series }: { session: ReviewSession; series: RunSeries }) {
  const hostRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const t0 = session.timeline.startT;
    const xs = series.t.map((t) => t - t0);
    const width = Math.max(200, host.clientWidth);
    const sync = uPlot.sync(`review-${series.runId}`);
    const plots: { u: uPlot; head: HTMLDivElement }[] = [];
    const axisStyle = { stroke: '#8591a0', grid: { stroke: '#1f252d', width: 1 }, ticks: { stroke: '#252c36', width: 1 }, font: '10px system-ui, sans-serif' };
    for (const [i, p] of PLOTS.entries()) {
      const el = document.createElement('div');
      el.className = 'plot';
      el.dataset.testid = `plot-${p.key}`;
      host.appendChild(el);
      const last = i === PLOTS.length - 1;
      const u = new uPlot({
        width,
        height: PLOT_H + (last ? 24 : 0),
        legend: { show: false },
        // Same padding on every plot so their x scales line up (the last one carries the time axis).
        padding: [6, 14, 0, 0],
        cursor: { sync: { key: sync.key }, drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, p.key === 'risk' ? 1 : 0.1) * 1.05] } },
        axes: [
          { ...axisStyle, show: last, size: 24, values: (_u, vals) => vals.map((v) => `${Math.floor(v / 60)}:${String(Math.floor(v % 60)).padStart(2, '0')}`) },
          { ...axisStyle, size: 44, space: 14, values: (_u, vals) => tickLabels(vals) },
        ],
        series: [{}, { label: p.label, stroke: p.color, width: 1.25, fill: `${p.color}22`, spanGaps: false, points: { show: false } }],
      }, [xs, series[p.key] as (number | null)[]] as uPlot.AlignedData, el);
      const title = document.createElement('div');
      title.className = 'plot-title';
      title.textContent = p.unit ? `${p.label} (${p.unit})` : p.label;
      el.appendChild(title);
      const head = document.createElement('div');
      head.className = 'plot-playhead';
      u.over.appendChild(head);
      u.over.addEventListener('click', (e) => {
        const x = u.posToVal(e.offsetX, 'x');
        if (Number.isFinite(x)) session.seek(t0 + x);
      });
      plots.push({ u, head });
    }

    const place = () => {
      const t = session.get().t - t0;
      for (const { u, head } of plots) {
        const x = u.valToPos(t, 'x');
        head.style.transform = `translateX(${Math.round(x)}px)`;
      }
    };
    place();
    let lastT = NaN;
    const off = session.subscribe(() => {
      const t = session.get().t;
      if (t !== lastT) {
        lastT = t;
        place();
      }
    });
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, host.clientWidth);
      for (const [i, { u }] of plots.entries()) u.setSize({ width: w, height: PLOT_H + (i === plots.length - 1 ? 24 : 0) });
      place();
    });
    ro.observe(host);
    return () => {
      off();
      ro.disconnect();
      for (const { u } of plots) u.destroy();
      host.replaceChildren();
    };
  }, [session, series]);

  return <div className="plots" ref={hostRef} data-testid="plots" />;
}
