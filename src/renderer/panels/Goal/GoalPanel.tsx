import { useConsole, useStore } from '../../state/context';
import { fmtAngleDeg } from '../../state/format';
import { Panel } from '../../ui/Panel';

export function GoalPanel({ goalMode, setGoalMode }: { goalMode: boolean; setGoalMode: (on: boolean) => void }) {
  const { api, store } = useConsole();
  const goal = useStore((s) => s.snapshot?.goal ?? null);
  const cancel = () =>
    api.invoke('cancelGoal', null).then(
      (r) => {
        if (!r.ok) store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Cancel refused: ${r.error}` });
      },
      (e: unknown) => store.addEvent({ t: performance.now() / 1000, level: 'error', message: `Cancel failed: ${e instanceof Error ? e.message : String(e)}` }),
    );
  return (
    <Panel title="Goal" testid="goal-panel">
      <div className="row">
        <button
          type="button"
          className={`btn grow${goalMode ? ' primary' : ''}`}
          data-testid="goal-mode"
          aria-pressed={goalMode}
          onClick={() => setGoalMode(!goalMode)}
          title="Then press on the map at the goal and drag toward the heading (G). Shift-drag or right-drag also sets a goal."
        >
          {goalMode ? 'Press & drag on the map…' : 'Set goal (G)'}
        </button>
        <button type="button" className="btn grow danger-outline" data-testid="cancel-goal" disabled={!goal} onClick={cancel}>
          Cancel goal
        </button>
      </div>
      <div className="kv" data-testid="goal-readout">
        {goal ? (
          <>
            x <b>{goal.x.toFixed(2)}</b> y <b>{goal.y.toFixed(2)}</b> m · heading <b>{fmtAngleDeg(goal.theta)}</b>
          </>
        ) : (
          <span className="muted">No goal</span>
        )}
      </div>
    </Panel>
  );
}
