import { useCallback, useEffect, useState } from 'react';
import type { ConnectRequest, PortInfo } from '../../../shared/api';
import { useConsole, useStore } from '../../state/context';
import { BAUD_RATES, DEFAULT_BAUD, linkStateWords, linkTone, parseTcpAddress } from '../../state/format';
import { Panel } from '../../ui/Panel';

export function ConnectionPanel() {
  const { api } = useConsole();
  const link = useStore((s) => s.snapshot?.link ?? null);
  const robot = useStore((s) => s.snapshot?.robot ?? null);
  const transport = useStore((s) => s.transport);
  const [ports, setPorts] = useState<PortInfo[]>([]);
  const [port, setPort] = useState('');
  const [baud, setBaud] = useState<number>(DEFAULT_BAUD);
  const [tcp, setTcp] = useState('127.0.0.1:5760');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [listing, setListing] = useState(false);

  const refresh = useCallback(() => {
    setListing(true);
    api
      .invoke('listPorts', null)
      .then(
        (list) => {
          setPorts(list);
          setPort((cur) => (cur && list.some((p) => p.path === cur) ? cur : (list[0]?.path ?? '')));
          setError(null);
        },
        (e: unknown) => setError(`Could not list ports: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => setListing(false));
  }, [api]);

  const open = transport.state === 'open';
  useEffect(() => {
    if (open) refresh();
  }, [open, refresh]);

  const run = (req: ConnectRequest | null) => {
    setBusy(true);
    setError(null);
    const p = req ? api.invoke('connect', req) : api.invoke('disconnect', null);
    p.then(
      (r) => {
        if (!r.ok) setError(r.error);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    ).finally(() => setBusy(false));
  };

  const state = link?.state ?? 'disconnected';
  const active = state !== 'disconnected';
  const tcpParsed = parseTcpAddress(tcp);

  return (
    <Panel title="Connection" testid="connection-panel">
      <div className={`conn-status tone-${linkTone(state, transport)}`} data-testid="conn-message">
        <span className="dot" />
        <div>
          <div className="conn-state">{linkStateWords(state, transport)}</div>
          <div className="conn-detail">
            {transport.state !== 'open' ? transport.message : (link?.message ?? 'No robot selected')}
            {link?.endpoint && !(link.message ?? '').includes(link.endpoint) ? <> · <code>{link.endpoint}</code></> : null}
          </div>
        </div>
      </div>
      {robot && (
        <div className="conn-robot small" data-testid="robot-description">
          <div>
            <strong>{robot.name}</strong>
            {robot.driver ? <> · {robot.driver}</> : null}
            {robot.lidar ? <> · lidar: {robot.lidar === 'none' ? 'none (teleop only, slow)' : robot.lidar}</> : null}
          </div>
          {robot.whenCommandsStop && <div data-testid="robot-when-commands-stop">{robot.whenCommandsStop}</div>}
        </div>
      )}

      <label className="field">
        <span>Serial port</span>
        <div className="row">
          <select data-testid="port-select" value={port} onChange={(e) => setPort(e.target.value)} disabled={ports.length === 0}>
            {ports.length === 0 && <option value="">{listing ? 'Listing…' : 'No ports found'}</option>}
            {ports.map((p) => (
              <option key={p.path} value={p.path}>
                {p.path}
                {p.label ? ` — ${p.label}` : ''}
                {p.source === 'scan' ? ' (scan)' : p.source === 'simulator' ? ' (sim)' : ''}
              </option>
            ))}
          </select>
          <button type="button" className="btn icon" data-testid="refresh-ports" onClick={refresh} disabled={listing || !open} title="Refresh the port list">
            ⟳
          </button>
        </div>
      </label>
      <div className="row">
        <label className="field grow">
          <span>Baud</span>
          <select data-testid="baud-select" value={baud} onChange={(e) => setBaud(Number(e.target.value))}>
            {BAUD_RATES.map((b) => (
              <option key={b} value={b}>
                {b.toLocaleString('en-US')}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn primary"
          data-testid="connect-serial"
          disabled={busy || !port || !open}
          onClick={() => run({ kind: 'serial', path: port, baud })}
        >
          Connect
        </button>
      </div>
      <label className="field">
        <span>TCP host:port</span>
        <div className="row">
          <input data-testid="tcp-address" value={tcp} onChange={(e) => setTcp(e.target.value)} spellCheck={false} placeholder="127.0.0.1:5760" />
          <button
            type="button"
            className="btn"
            data-testid="connect-tcp"
            disabled={busy || 'error' in tcpParsed || !open}
            title={'error' in tcpParsed ? tcpParsed.error : 'Connect over TCP'}
            onClick={() => {
              if (!('error' in tcpParsed)) run({ kind: 'tcp', host: tcpParsed.host, port: tcpParsed.port });
            }}
          >
            Connect
          </button>
        </div>
      </label>
      <div className="row">
        <button type="button" className="btn grow" data-testid="start-sim" disabled={busy || !open} onClick={() => run({ kind: 'sim' })}>
          Start simulator
        </button>
        <button type="button" className="btn grow danger-outline" data-testid="disconnect" disabled={busy || !active || !open} onClick={() => run(null)}>
          Disconnect
        </button>
      </div>
      {error && (
        <div className="error" role="alert" data-testid="conn-error">
          {error}
        </div>
      )}
    </Panel>
  );
}
