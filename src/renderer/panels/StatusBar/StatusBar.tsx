import type { ReactNode } from 'react';
import type { LocalizationView } from '../../../shared/api';
import { fmt, fmtTwist, linkStateWords, linkTone, type Tone } from '../../state/format';
import { useStore } from '../../state/context';

function Item({ label, children, tone, testid, title }: { label: string; children: ReactNode; tone?: Tone; testid?: string; title?: string }) {
  return (
    <div className={`sb-item${tone ? ` tone-${tone}` : ''}`} data-testid={testid} title={title}>
      <span className="sb-label">{label}</span>
      <span className="sb-value">{children}</span>
    </div>
  );
}

const locTone: Record<LocalizationView['quality'], Tone> = { odometry: 'idle', localized: 'ok', uncertain: 'warn', lost: 'bad', 'not-initialized': 'warn' };

/** Short words for the status bar; the full reason is the tooltip. */
function localizationWords(l: LocalizationView): string {
  if (l.mode === 'off') return 'odometry only';
  if (l.mode === 'mapping') return l.mapping ? `mapping · ${l.mapping.nodes} scans · ${l.mapping.loopClosures} loops` : 'mapping';
  const spread = l.ellipse ? ` ±${Math.round(l.ellipse.major * 100)} cm` : '';
  const fit = l.agreement !== null ? ` · ${Math.round(l.agreement * 100)} % fit` : '';
  const words = { localized: 'localized', uncertain: 'uncertain', lost: 'LOST', 'not-initialized': 'not localized', odometry: 'odometry' }[l.quality];
  return `${words}${spread}${fit}`;
}

export function StatusBar() {
  const s = useStore((st) => st.snapshot);
  const transport = useStore((st) => st.transport);
  const snapHz = useStore((st) => st.snapshotHz);
  const link = s?.link ?? null;
  const words = linkStateWords(link?.state ?? null, transport);
  const tone = linkTone(link?.state ?? null, transport);
  const battery = s?.battery ?? null;
  const batteryTone: Tone = battery?.percent != null ? (battery.percent < 15 ? 'bad' : battery.percent < 30 ? 'warn' : 'ok') : 'idle';
  const safety = s?.safety ?? null;
  const safetyTone: Tone = !safety ? 'idle' : safety.action === 'stop' ? 'bad' : safety.action === 'scale' ? 'warn' : 'ok';
  const faults = s?.faults ?? [];
  const loc = s?.localization ?? null;
  return (
    <footer className="status-bar" data-testid="status-bar">
      <div className={`sb-item sb-link tone-${tone}`} title={transport.state !== 'open' ? transport.message : (link?.message ?? '')}>
        <span className="dot" />
        <span className="sb-label">Link</span>
        <span className="sb-value" data-testid="link-state" data-state={transport.state !== 'open' ? 'console-offline' : (link?.state ?? 'disconnected')}>
          {words}
        </span>
      </div>
      <Item label="RTT" testid="rtt">{fmt(link?.rttMs, 1, ' ms')}</Item>
      <Item label="Frames" testid="frame-rate" title="Frames per second received from the robot">{fmt(link?.frameRateHz, 0, '/s')}</Item>
      <Item label="CRC err" testid="crc-errors" tone={link && link.crcErrors > 0 ? 'warn' : undefined} title={`Other bad frames: ${link?.badFrames ?? 0}`}>
        {link ? link.crcErrors : '—'}
      </Item>
      <Item label="Battery" testid="battery" tone={batteryTone}>
        {battery ? `${battery.percent != null ? `${battery.percent.toFixed(0)}% ` : ''}${battery.voltage.toFixed(1)} V` : '—'}
      </Item>
      <Item label="Faults" testid="faults" tone={faults.length ? 'bad' : undefined}>
        {faults.length ? faults.join(', ') : 'none'}
      </Item>
      <Item label="Localization" testid="localization" tone={loc ? locTone[loc.quality] : 'idle'} title={loc?.reason}>
        <span data-quality={loc?.quality ?? 'none'} data-testid="localization-quality">{loc ? localizationWords(loc) : '—'}</span>
      </Item>
      <Item label="Motion" testid="motion-source">{s?.emergencyStop ? 'e-stop' : (s?.motion ?? '—')}</Item>
      <Item label="Safety" testid="safety-state" tone={safetyTone} title={safety?.reason}>
        {safety ? `${safety.action}${safety.action === 'scale' ? ` ×${safety.scale.toFixed(2)}` : ''}${safety.ttc != null ? ` · ttc ${safety.ttc.toFixed(1)} s` : ''}` : '—'}
      </Item>
      <Item label="Cmd" testid="command" title="The command last sent to the robot, after safety">{s ? fmtTwist(s.command.v, s.command.w) : '—'}</Item>
      <Item label="UI" testid="snapshot-rate" title="Snapshots per second received by this window">{snapHz} Hz</Item>
      <div className="sb-spacer" />
      <div className="sb-message" data-testid="link-message">
        {transport.state !== 'open' ? transport.message : (link?.message ?? 'No robot selected')}
      </div>
    </footer>
  );
}
