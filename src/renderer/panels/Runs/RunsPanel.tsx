import { useCallback, useEffect, useState } from 'react';
import type { RunSummary } from '../../../shared/recording';
import { useConsole } from '../../state/context';
import { Panel } from '../../ui/Panel';
import { fmtDate, fmtDuration, outcomeTone, runTitle } from './format';

interface Props {
  openRunId: number | null;
  onOpen: (runId: number) => void;
  /** The run list changes elsewhere (a run was deleted): bump to reload. */
  onDeleted: (runId: number) => void;
}

/** The run list: search, tag filter, open, rename, tag, delete (with confirmation). */
export function RunsPanel({ openRunId, onOpen, onDeleted }: Props) {
  const { api } = useConsole();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [allTags, setAllTags] = useState<string[]>([]);

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      api.invoke('listRuns', { search: search.trim() || undefined, tag: tag || undefined }).then(
        (r) => {
          if (cancelled) return;
          setRuns(r);
          setError(null);
        },
        (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, search, tag, reload]);

  useEffect(() => {
    let cancelled = false;
    api.invoke('listRuns', null).then(
      (r) => !cancelled && setAllTags([...new Set(r.flatMap((x) => x.tags))].sort()),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, reload]);

  const refresh = useCallback(() => setReload((n) => n + 1), []);

  return (
    <Panel title="Runs" testid="runs-panel" right={<button type="button" className="btn small ghost" onClick={refresh} title="Reload the list">↻</button>}>
      <div className="runs-filter">
        <input
          type="search"
          className="input"
          placeholder="Search name, robot, outcome, tag…"
          data-testid="runs-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select className="input" data-testid="runs-tag" value={tag} onChange={(e) => setTag(e.target.value)} title="Only runs with this tag">
          <option value="">All tags</option>
          {allTags.map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </select>
      </div>
      {error && <div className="error small">{error}</div>}
      {runs && runs.length === 0 && <div className="muted small empty">{search || tag ? 'No run matches.' : 'No recorded runs yet. Every session with a robot is recorded.'}</div>}
      <ul className="run-list" data-testid="run-list">
        {runs?.map((r) => (
          <RunRow key={r.id} run={r} open={r.id === openRunId} onOpen={onOpen} onChanged={refresh} onDeleted={(id) => { refresh(); onDeleted(id); }} />
        ))}
      </ul>
    </Panel>
  );
}

function RunRow({ run, open, onOpen, onChanged, onDeleted }: { run: RunSummary; open: boolean; onOpen: (id: number) => void; onChanged: () => void; onDeleted: (id: number) => void }) {
  const { api } = useConsole();
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const [name, setName] = useState(run.name);
  const [tags, setTags] = useState(run.tags.join(', '));
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    const r1 = await api.invoke('renameRun', { runId: run.id, name });
    const r2 = await api.invoke('tagRun', { runId: run.id, tags: tags.split(',').map((t) => t.trim()).filter(Boolean) });
    const bad = [r1, r2].find((r) => !r.ok);
    if (bad && !bad.ok) setError(bad.error);
    else {
      setError(null);
      setMode('view');
      onChanged();
    }
  };
  const del = async () => {
    const r = await api.invoke('deleteRun', { runId: run.id });
    if (!r.ok) setError(r.error);
    else onDeleted(run.id);
  };

  return (
    <li className={`run-row${open ? ' open' : ''}`} data-testid={`run-${run.id}`} data-run-id={run.id}>
      <button type="button" className="run-main" onClick={() => onOpen(run.id)} title="Open this run">
        <div className="run-line1">
          <span className="run-title">{runTitle(run)}</span>
          <span className={`badge tone-${outcomeTone(run.outcome)}`}>{run.outcome ?? 'recording'}</span>
        </div>
        <div className="run-line2 mono">
          <span title="Started">{fmtDate(run.startedAt)}</span>
          <span title="Robot">{run.robotName}</span>
          <span title="Duration">{fmtDuration(run.durationS)}</span>
          <span title="Distance">{run.distanceM.toFixed(1)} m</span>
          <span title="Incidents" className={run.incidents > 0 ? 'tone-warn' : 'muted'} data-testid="run-incidents">⚑ {run.incidents}</span>
        </div>
        {run.tags.length > 0 && (
          <div className="run-tags">
            {run.tags.map((t) => (
              <span key={t} className="tag">{t}</span>
            ))}
          </div>
        )}
      </button>
      {open && mode === 'view' && (
        <div className="run-actions">
          <button type="button" className="btn small" data-testid="run-edit" onClick={() => { setName(run.name); setTags(run.tags.join(', ')); setMode('edit'); }}>Rename / tag</button>
          <button type="button" className="btn small danger" data-testid="run-delete" onClick={() => setMode('confirm-delete')}>Delete…</button>
        </div>
      )}
      {mode === 'edit' && (
        <form className="run-edit" onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <label>Name <input className="input" data-testid="run-name-input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder={`Run #${run.id}`} /></label>
          <label>Tags <input className="input" data-testid="run-tags-input" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma, separated" /></label>
          <div className="run-actions">
            <button type="submit" className="btn small primary" data-testid="run-save">Save</button>
            <button type="button" className="btn small" onClick={() => setMode('view')}>Cancel</button>
          </div>
        </form>
      )}
      {mode === 'confirm-delete' && (
        <div className="run-confirm" role="alertdialog" aria-label="Confirm delete">
          <div>Delete <b>{runTitle(run)}</b> and all its records? This cannot be undone.</div>
          <div className="run-actions">
            <button type="button" className="btn small danger" data-testid="run-delete-confirm" onClick={() => void del()}>Delete run</button>
            <button type="button" className="btn small" data-testid="run-delete-cancel" onClick={() => setMode('view')}>Keep it</button>
          </div>
        </div>
      )}
      {error && <div className="error small">{error}</div>}
    </li>
  );
}
