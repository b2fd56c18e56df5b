import { useConsole, useTeleopView } from '../../state/context';
import { Joystick } from './Joystick';
import { Panel } from '../../ui/Panel';

function Key({ on, children }: { on: boolean; children: string }) {
  return <kbd className={on ? 'on' : undefined}>{children}</kbd>;
}

export function TeleopPanel() {
  const { teleop } = useConsole();
  const v = useTeleopView();
  const k = new Set(v.keys);
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
          <div className={`teleop-state${v.active ? ' active' : ''}`} data-testid="teleop-state" data-active={v.active ? 'true' : 'false'}>
            {v.active ? `lin ${v.input.linear.toFixed(2)} · ang ${v.input.angular.toFixed(2)}` : 'released'}
          </div>
        </div>
      </div>
      <label className="field">
        <span>
          Speed limit <b>{Math.round(v.speed * 100)}%</b>
        </span>
        <input
          type="range"
          min={5}
          max={100}
          step={5}
          value={Math.round(v.speed * 100)}
          data-testid="teleop-speed"
          onChange={(e) => teleop.setSpeed(Number(e.target.value) / 100)}
        />
      </label>
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
