import { useStore, useTeleopView } from '../../state/context';
import { fmtPercent, fmtTwist } from '../../state/format';
import { Joystick } from './Joystick';
import { Panel } from '../../ui/Panel';
import { useSpeedLimit } from './useSpeedLimit';

function Key({ on, children }: { on: boolean; children: string }) {
  return <kbd className={on ? 'on' : undefined}>{children}</kbd>;
}

export function TeleopPanel() {
  const v = useTeleopView();
  const robot = useStore((s) => s.snapshot?.robot ?? null);
  const limit = useSpeedLimit();
  const k = new Set(v.keys);
  const fraction = limit.fraction;
  // What the operator asks for, in the units the status bar uses: normalized input × the
  // speed limit × the robot's maxima (the console may still slow it: safety, zones, lidar rate).
  const asked = robot && fraction !== null ? fmtTwist(v.input.linear * fraction * robot.maxLinearVelocity, v.input.angular * fraction * robot.maxAngularVelocity) : null;
  return (
    <Panel title="Drive" testid="teleop-panel">
      <div className="teleop">
        <Joystick />
        <div className="teleop-side">
          <div className="keys" aria-label="Keyboard: W A S D or arrows, hold to drive">
            <span />
            <Key on={k.has('forward')}>W</Key>
            <span />
            <Key on={k.has('left')}>A</Key>
            <Key on={k.has('back')}>S</Key>
            <Key on={k.has('right')}>D</Key>
          </div>
          <div
            className={`teleop-state${v.active ? ' active' : ''}`}
            data-testid="teleop-state"
            data-active={v.active ? 'true' : 'false'}
            title="What you ask for (input × speed limit × the robot's maximum); the status bar's Cmd is what was sent after safety"
          >
            {v.active ? (asked ?? `lin ${fmtPercent(v.input.linear)} · ang ${fmtPercent(v.input.angular)}`) : 'released'}
          </div>
        </div>
      </div>
      <label className="field" title="Applied by the console to driving and to goals alike; kept across reloads">
        <span data-testid="speed-limit-label">
          Speed limit <b>{fraction !== null ? fmtPercent(fraction) : '—'}</b>
          {robot && fraction !== null && (
            <>
              {' · '}
              <b data-testid="speed-limit-ms">{(fraction * robot.maxLinearVelocity).toFixed(2)} m/s</b>
              {' · '}
              {(fraction * robot.maxAngularVelocity).toFixed(2)} rad/s
            </>
          )}
        </span>
        <input
          type="range"
          min={5}
          max={100}
          step={5}
          value={Math.round((fraction ?? 1) * 100)}
          disabled={fraction === null}
          data-testid="teleop-speed"
          data-pending={limit.pending ? 'true' : 'false'}
          aria-label="Speed limit, percent of the robot's maximum"
          onChange={(e) => limit.set(Number(e.target.value) / 100)}
        />
      </label>
      {limit.error && <div className="error" data-testid="speed-limit-error">Speed limit not set: {limit.error}</div>}
      <div className="hint">
        Hold <kbd>W</kbd><kbd>A</kbd><kbd>S</kbd><kbd>D</kbd> or arrows; release stops.{' '}
        {v.gamepad ? (
          <span className={v.gamepad.deadman ? 'tone-ok' : undefined}>
            Gamepad: hold <kbd>LB</kbd> and use the left stick{v.gamepad.deadman ? ' (active)' : ''}.
          </span>
        ) : (
          <span>Gamepad: none (press a button to wake it).</span>
        )}
      </div>
      {v.lastError && <div className="error" data-testid="teleop-error">Teleop: {v.lastError}</div>}
    </Panel>
  );
}
