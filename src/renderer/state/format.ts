/** Plain-words formatting of console state for the status bar and panels. */
import type { LinkState } from '../../shared/api';
import type { TransportStatus } from '../api/transport';

/** The words the link-state indicator shows; tests look for "connected" and "link lost". */
export function linkStateWords(state: LinkState | null, transport?: TransportStatus): string {
  if (transport && transport.state !== 'open') {
    return transport.state === 'connecting' ? 'console connecting' : 'console offline, reconnecting';
  }
  switch (state) {
    case 'connected':
      return 'connected';
    case 'connecting':
      return 'connecting';
    case 'handshaking':
      return 'handshaking';
    case 'lost':
      return 'link lost';
    case 'incompatible':
      return 'incompatible robot';
    case 'disconnected':
    case null:
    default:
      return 'disconnected';
  }
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export function linkTone(state: LinkState | null, transport?: TransportStatus): Tone {
  if (transport && transport.state !== 'open') return 'bad';
  switch (state) {
    case 'connected':
      return 'ok';
    case 'connecting':
    case 'handshaking':
      return 'warn';
    case 'lost':
    case 'incompatible':
      return 'bad';
    default:
      return 'idle';
  }
}

export function fmt(v: number | null | undefined, digits = 1, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(digits)}${unit}`;
}

/**
 * A linear/angular velocity pair with its units, the one way the console writes a twist
 * (drive panel, status bar): "lin 0.60 m/s · ang -0.20 rad/s".
 */
export function fmtTwist(v: number | null | undefined, w: number | null | undefined): string {
  return `lin ${fmt(v, 2, ' m/s')} · ang ${fmt(w, 2, ' rad/s')}`;
}

/** The operator's speed limit as a percentage: 0.6 → "60 %". */
export function fmtPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

export function fmtAngleDeg(rad: number | null | undefined): string {
  if (rad === null || rad === undefined || !Number.isFinite(rad)) return '—';
  return `${((rad * 180) / Math.PI).toFixed(0)}°`;
}

export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 2000000] as const;
export const DEFAULT_BAUD = 921600;

/** "host:port" → parts, or an error in plain words. */
export function parseTcpAddress(text: string): { host: string; port: number } | { error: string } {
  const t = text.trim();
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(t);
  if (!m) return { error: 'Use host:port, e.g. 127.0.0.1:5760' };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return { error: 'Port must be 1–65535' };
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
