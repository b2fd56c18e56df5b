/** A legend entry's glyph as a small SVG, drawn the way the map draws the thing it stands for. */
import type { ReactNode } from 'react';
import type { LegendEntry } from '../../scene/legend';

const W = 34;
const H = 18;

export function LegendGlyph({ entry }: { entry: LegendEntry }) {
  const [c0, c1 = c0] = entry.colors;
  const a = entry.alpha ?? 1;
  const gid = `legend-grad-${entry.id}`;
  let body: ReactNode = null;
  switch (entry.glyph) {
    case 'cell':
      body = <rect x={7} y={1} width={H - 2} height={H - 2} fill={c0} fillOpacity={a} stroke="#0006" />;
      break;
    case 'gradient':
      body = (
        <>
          <defs>
            <linearGradient id={gid}>
              {entry.colors.map((c, i) => (
                <stop key={i} offset={entry.colors.length > 1 ? i / (entry.colors.length - 1) : 0} stopColor={c} />
              ))}
            </linearGradient>
          </defs>
          <rect x={1} y={4} width={W - 2} height={H - 8} fill={`url(#${gid})`} stroke="#0006" />
        </>
      );
      break;
    case 'points':
      body = (
        <g fill={c0} fillOpacity={a}>
          {[4, 9, 14, 19, 24, 29].map((x, i) => (
            <rect key={x} x={x} y={6 + (i % 3) * 2} width={2.6} height={2.6} />
          ))}
        </g>
      );
      break;
    case 'line':
      body = <path d="M2 13 C 12 13, 16 5, 32 5" fill="none" stroke={c0} strokeWidth={2.5} strokeLinecap="round" strokeOpacity={a} />;
      break;
    case 'halo-line':
      body = (
        <>
          <path d="M2 13 C 12 13, 16 6, 29 6" fill="none" stroke="#000" strokeOpacity={0.5} strokeWidth={5} strokeLinecap="round" />
          <path d="M2 13 C 12 13, 16 6, 29 6" fill="none" stroke={c0} strokeWidth={3} strokeLinecap="round" />
          <circle cx={29} cy={6} r={3} fill={c0} />
        </>
      );
      break;
    case 'robot':
      body = (
        <g opacity={a}>
          <rect x={7} y={3} width={20} height={12} fill={c0} fillOpacity={0.35} stroke={c1} strokeWidth={1.5} />
          <path d="M21 5.5 L27 9 L21 12.5 Z" fill={c1} fillOpacity={0.9} />
          <circle cx={17} cy={9} r={1.5} fill="#fff" />
        </g>
      );
      break;
    case 'ellipse':
      body = <ellipse cx={W / 2} cy={H / 2} rx={14} ry={6} fill={c0} fillOpacity={0.12} stroke={c0} strokeWidth={1.5} />;
      break;
    case 'person':
      body = (
        <>
          <circle cx={10} cy={9} r={6} fill={c0} fillOpacity={0.25} stroke={c0} strokeWidth={1.5} />
          <path d="M10 9 L30 9 M25 6 L30 9 L25 12" fill="none" stroke={c0} strokeWidth={1.5} strokeLinecap="round" />
        </>
      );
      break;
    case 'fan':
      body = (
        <g fill="none" stroke={c0} strokeWidth={2} strokeLinecap="round">
          <path d="M3 9 L31 9" strokeOpacity={0.95} />
          <path d="M3 9 L30 3" strokeOpacity={a} />
          <path d="M3 9 L30 15" strokeOpacity={0.2} />
        </g>
      );
      break;
    case 'cone':
      body = (
        <>
          <path d="M3 9 L31 3 L31 15 Z" fill={c0} fillOpacity={0.14} />
          <path d="M3 9 L31 9" stroke={c0} strokeOpacity={0.8} strokeWidth={1.5} />
        </>
      );
      break;
    case 'crosshair':
      body = (
        <g fill="none" stroke={c0} strokeWidth={1.5}>
          <circle cx={W / 2} cy={H / 2} r={5} />
          <path d="M9 9 L25 9 M17 1 L17 17" strokeWidth={1} />
        </g>
      );
      break;
    case 'goal':
      body = (
        <>
          <circle cx={9} cy={9} r={6.5} fill={c0} fillOpacity={0.18} stroke={c0} strokeWidth={2} />
          <circle cx={9} cy={9} r={1.8} fill={c0} />
          <path d="M9 9 L31 9 M26 5.5 L31 9 L26 12.5" fill="none" stroke={c0} strokeWidth={2.5} strokeLinecap="round" strokeLinejoin="round" />
        </>
      );
      break;
    case 'outline':
      body = <rect x={3} y={2} width={W - 6} height={H - 4} fill={c0} fillOpacity={0.08} stroke={c0} strokeWidth={1.5} />;
      break;
    case 'zone':
      body = <path d="M3 15 L8 2 L30 4 L27 16 Z" fill={c0} fillOpacity={0.22} stroke={c0} strokeWidth={2} />;
      break;
  }
  return (
    <svg className="legend-glyph" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
      {body}
    </svg>
  );
}
