/** Plain-words formatting for the run list. */
import type { RunSummary } from '../../../shared/recording';

export function fmtDate(epochS: number): string {
  const d = new Date(epochS * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${s.toFixed(1)} s`;
}

export function runTitle(r: RunSummary): string {
  return r.name || `Run #${r.id}`;
}

export function outcomeTone(o: RunSummary['outcome']): 'ok' | 'warn' | 'bad' | 'idle' {
  switch (o) {
    case 'goal-reached':
    case 'completed':
      return 'ok';
    case 'aborted':
    case 'interrupted':
      return 'warn';
    case 'failed':
    case 'link-lost':
      return 'bad';
    default:
      return 'idle';
  }
}
