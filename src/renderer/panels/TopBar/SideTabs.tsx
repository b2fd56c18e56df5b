/**
 * On phones and small tablets the sidebar is a bottom sheet (a side column in landscape)
 * showing one group of panels at a time, chosen in a tab bar; the map, the drive joystick and
 * STOP stay on screen. Tapping the open tab folds the sheet away (the map takes the room). On
 * wider screens the tab bar is hidden and every group shows, as before (CSS decides).
 */
import { useState } from 'react';
import type { ViewMode } from './view-mode';

export type SideTab = 'drive' | 'goal' | 'robot' | 'more' | 'runs';

const TABS: Record<ViewMode, { id: SideTab; label: string }[]> = {
  live: [
    { id: 'drive', label: 'Drive' },
    { id: 'goal', label: 'Goal' },
    { id: 'robot', label: 'Robot' },
    { id: 'more', label: 'More' },
  ],
  review: [
    { id: 'runs', label: 'Runs' },
    { id: 'more', label: 'More' },
  ],
};

/** The open tab for this mode (null: the sheet is folded) and its setter. */
export function useSideTab(mode: ViewMode): [SideTab | null, (t: SideTab | null) => void] {
  const [tab, setTab] = useState<SideTab | null>(TABS[mode][0].id);
  const open = tab === null ? null : TABS[mode].some((t) => t.id === tab) ? tab : TABS[mode][0].id;
  return [open, setTab];
}

/** Props for a group of sidebar panels belonging to `id`: shown on small screens only when its tab is open. */
export function sideGroup(id: SideTab, open: SideTab | null): { className: string; 'data-group': SideTab } {
  return { className: `side-group${open === id ? ' on' : ''}`, 'data-group': id };
}

export function SideTabs({ mode, tab, setTab }: { mode: ViewMode; tab: SideTab | null; setTab: (t: SideTab | null) => void }) {
  return (
    <nav className="side-tabs" role="tablist" aria-label="Panels" data-testid="side-tabs">
      {TABS[mode].map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={tab === t.id}
          className={tab === t.id ? 'on' : ''}
          data-testid={`tab-${t.id}`}
          onClick={() => setTab(tab === t.id ? null : t.id)}
        >
          {t.label}
        </button>
      ))}
    </nav>
  );
}
