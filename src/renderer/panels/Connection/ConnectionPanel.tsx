import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConnectRequest, LidarAttachment, PortInfo } from '../../../shared/api';
import { usualSeparateLidar, type ProfileCatalog, type RobotProfile } from '../../../shared/robots';
import { useConsole, useStore } from '../../state/context';
import { BAUD_RATES, DEFAULT_BAUD, linkStateWords, linkTone, parseTcpAddress } from '../../state/format';
import { Panel } from '../../ui/Panel';

const NO_LIDAR = '';
const EMPTY_CATALOG: ProfileCatalog = { robots: [], lidars: [], problems: [] };

/** "0483:5740" when the port's USB ids are known. */
function usbIds(p: PortInfo): string {
  return p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '';
}

function portLabel(p: PortInfo): string {
  const ids = usbIds(p);
  return [
    p.path,
    p.label ? ` — ${p.label}` : '',
    ids ? ` [${ids}]` : '',
    p.proposal ? ` · ${p.proposal.what}` : '',
    p.source === 'scan' ? ' (scan)' : p.source === 'simulator' ? ' (sim)' : '',
  ].join('');
}

export function ConnectionPanel() {
  const { api } = useConsole();
  const link = useStore((s) => s.snapshot?.link ?? null);
  const robot = useStore((s) => s.snapshot?.robot ?? null);
  const transport = useStore((s) => s.transport);
  const [ports, setPorts] = useState<PortInfo[]>([]);
  const [catalog, setCatalog] = useState<ProfileCatalog>(EMPTY_CATALOG);
  const [profileName, setProfileName] = useState('foresight');
  const [port, setPort] = useState('');
  const [baud, setBaud] = useState<number>(DEFAULT_BAUD);
  const [lidarModel, setLidarModel] = useState(NO_LIDAR);
  const [lidarPort, setLidarPort] = useState('');
  const [allowNoDeadman, setAllowNoDeadman] = useState(false);
  const [tcp, setTcp] = useState('127.0.0.1:5760');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [listing, setListing] = useState(false);

  const profile: RobotProfile | undefined = useMemo(() => catalog.robots.find((r) => r.name === profileName), [catalog, profileName]);

  /** Picks a robot profile: its baud, and its usual lidar (the reference robot's is built in). */
  const chooseProfile = useCallback((name: string, from: ProfileCatalog) => {
    const p = from.robots.find((r) => r.name === name);
    setProfileName(name);
    if (!p) return;
    setBaud(p.baudRate);
    setLidarModel(usualSeparateLidar(p) ?? NO_LIDAR);
    setAllowNoDeadman(false);
  }, []);

  const refresh = useCallback(() => {
    setListing(true);
    Promise.all([api.invoke('listPorts', null), api.invoke('listProfiles', null)])
      .then(
        ([list, profiles]) => {
          setPorts(list);
          setCatalog(profiles);
          // Propose: the first port whose USB ids match a robot, with that robot's profile.
          const proposed = list.find((p) => p.proposal?.robot);
          const chosen = proposed ?? list[0];
          setPort((cur) => (cur && list.some((p) => p.path === cur) ? cur : (chosen?.path ?? '')));
          if (proposed?.proposal?.robot) chooseProfile(proposed.proposal.robot, profiles);
          else setBaud((b) => profiles.robots.find((r) => r.name === 'foresight')?.baudRate ?? b);
          setError(profiles.problems.length > 0 ? `Some robot profiles were not loaded: ${profiles.problems.join('; ')}` : null);
        },
        (e: unknown) => setError(`Could not list ports: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => setListing(false));
  }, [api, chooseProfile]);

  const open = transport.state === 'open';
  useEffect(() => {
    if (open) refresh();
  }, [open, refresh]);

  // The lidar's port: one whose USB ids match the chosen lidar, other than the robot's.
  useEffect(() => {
    if (lidarModel === NO_LIDAR) return;
    setLidarPort((cur) => {
      if (cur && cur !== port && ports.some((p) => p.path === cur)) return cur;
      const match = ports.find((p) => p.path !== port && p.proposal?.lidars?.includes(lidarModel));
      return match?.path ?? ports.find((p) => p.path !== port)?.path ?? '';
    });
  }, [lidarModel, port, ports]);

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

  /** The robot choice every connect carries; a real port's lidar needs its port. */
  const choice = (withLidarPort: boolean): Pick<ConnectRequest, 'robot' | 'lidar' | 'allowAutonomyWithoutDeadman'> => {
    const lidar: LidarAttachment | undefined =
      lidarModel === NO_LIDAR ? undefined : withLidarPort ? { model: lidarModel, path: lidarPort } : { model: lidarModel };
    return { robot: profileName, ...(lidar ? { lidar } : {}), ...(allowNoDeadman ? { allowAutonomyWithoutDeadman: true } : {}) };
  };

  const state = link?.state ?? 'disconnected';
  const active = state !== 'disconnected';
  const tcpParsed = parseTcpAddress(tcp);
  const selectedPort = ports.find((p) => p.path === port);
  const lidarNeedsPort = lidarModel !== NO_LIDAR && !lidarPort;
  const baudChoices = [...new Set([...BAUD_RATES, baud])].sort((a, b) => a - b);

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
        <span>Robot</span>
        <select data-testid="robot-profile" value={profileName} onChange={(e) => chooseProfile(e.target.value, catalog)} disabled={catalog.robots.length === 0}>
          {catalog.robots.length === 0 && <option value="foresight">Foresight reference robot</option>}
          {catalog.robots.map((r) => (
            <option key={r.name} value={r.name}>
              {r.title}
              {r.source === 'built-in' ? '' : ' (your profile)'}
            </option>
          ))}
        </select>
      </label>
      {profile && (
        <div className={`small ${profile.watchdog ? '' : 'tone-warn'}`} data-testid="profile-when-commands-stop">
          When commands stop, it {profile.watchdog ? profile.watchdog.action : 'KEEPS DRIVING at its last speed: it has no dead-man of its own'}.
        </div>
      )}
      {profile && !profile.watchdog && (
        <label className="check small">
          <input type="checkbox" data-testid="allow-no-deadman" checked={allowNoDeadman} onChange={(e) => setAllowNoDeadman(e.target.checked)} />
          <span>Allow autonomy without a dead-man (if the cable is pulled mid-goal it drives on; stay within reach of its power switch)</span>
        </label>
      )}

      <label className="field">
        <span>Serial port</span>
        <div className="row">
          <select
            data-testid="port-select"
            value={port}
            onChange={(e) => {
              setPort(e.target.value);
              const proposal = ports.find((p) => p.path === e.target.value)?.proposal;
              if (proposal?.robot) chooseProfile(proposal.robot, catalog);
            }}
            disabled={ports.length === 0}
          >
            {ports.length === 0 && <option value="">{listing ? 'Listing…' : 'No ports found'}</option>}
            {ports.map((p) => (
              <option key={p.path} value={p.path}>
                {portLabel(p)}
              </option>
            ))}
          </select>
          <button type="button" className="btn icon" data-testid="refresh-ports" onClick={refresh} disabled={listing || !open} title="Refresh the port list">
            ⟳
          </button>
        </div>
      </label>
      {selectedPort?.proposal && (
        <div className="small" data-testid="port-proposal">
          USB {usbIds(selectedPort)}: {selectedPort.proposal.what}
          {selectedPort.proposal.robot ? ` — proposed: ${catalog.robots.find((r) => r.name === selectedPort.proposal!.robot)?.title ?? selectedPort.proposal.robot}` : ''}
          {selectedPort.proposal.lidars ? ` — a lidar (${selectedPort.proposal.lidars.join(', ')})?` : ''}
        </div>
      )}
      <div className="row">
        <label className="field grow">
          <span>Lidar</span>
          <select data-testid="lidar-model" value={lidarModel} onChange={(e) => setLidarModel(e.target.value)}>
            <option value={NO_LIDAR}>{profile?.driver === 'foresight' ? 'Built in (or none)' : 'None (teleop only)'}</option>
            {catalog.lidars.map((l) => (
              <option key={l.name} value={l.name}>
                {l.title}
              </option>
            ))}
          </select>
        </label>
        {lidarModel !== NO_LIDAR && (
          <label className="field grow">
            <span>Lidar port</span>
            <select data-testid="lidar-port" value={lidarPort} onChange={(e) => setLidarPort(e.target.value)}>
              {ports.filter((p) => p.path !== port).length === 0 && <option value="">No other port</option>}
              {ports
                .filter((p) => p.path !== port)
                .map((p) => (
                  <option key={p.path} value={p.path}>
                    {portLabel(p)}
                  </option>
                ))}
            </select>
          </label>
        )}
      </div>
      <div className="row">
        <label className="field grow">
          <span>Baud</span>
          <select data-testid="baud-select" value={baud} onChange={(e) => setBaud(Number(e.target.value))}>
            {baudChoices.map((b) => (
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
          disabled={busy || !port || !open || lidarNeedsPort}
          title={lidarNeedsPort ? 'Choose the lidar’s port' : 'Connect the robot (and its lidar) over USB'}
          onClick={() => run({ kind: 'serial', path: port, baud, ...choice(true) })}
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
            disabled={busy || 'error' in tcpParsed || !open || lidarNeedsPort}
            title={'error' in tcpParsed ? tcpParsed.error : 'Connect over TCP'}
            onClick={() => {
              if (!('error' in tcpParsed)) run({ kind: 'tcp', host: tcpParsed.host, port: tcpParsed.port, ...choice(true) });
            }}
          >
            Connect
          </button>
        </div>
      </label>
      <div className="row">
        <button
          type="button"
          className="btn grow"
          data-testid="start-sim"
          disabled={busy || !open}
          title={`Start a simulated ${profile?.title ?? 'robot'} speaking its own protocol`}
          onClick={() => run({ kind: 'sim', ...choice(false) })}
        >
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
