import { useMemo } from 'react';
import type { ApiHandle } from './api';
import { ConnectionPanel } from './panels/Connection';
import { EStop, useEmergencyStop } from './panels/EStop';
import { EventLog } from './panels/EventLog';
import { GoalPanel } from './panels/Goal';
import { HelpOverlay } from './panels/Help';
import { IncidentPanel } from './panels/Incidents';
import { LayersPanel, useHeatmap, useLayers } from './panels/Layers';
import { MapView, useMapControls } from './panels/Map';
import { MapsPanel } from './panels/Maps';
import { PeoplePanel } from './panels/People';
import { ReviewDock, useReview } from './panels/Review';
import { RunsPanel } from './panels/Runs';
import { StatusBar } from './panels/StatusBar';
import { TeleopPanel, useTeleopController } from './panels/Teleop';
import { RecordingBanner, SideTabs, TopBar, sideGroup, useSideTab, useViewMode } from './panels/TopBar';
import { ZonesPanel, useZones } from './panels/Zones';
import { Ctx, type ConsoleContext } from './state/context';
import type { Store } from './state/store';
import { useConsoleFeed } from './state/useConsoleFeed';

/** The console's layout: top bar, sidebar panels (live or review), the map, the review dock, the status bar. */
export function App({ handle, store }: { handle: ApiHandle; store: Store }) {
  const { api, transport } = handle;
  const [mode, setMode] = useViewMode();
  const map = useMapControls(mode);
  const emergencyStop = useEmergencyStop(api, store);
  const teleop = useTeleopController(api, emergencyStop, map.shortcuts);
  useConsoleFeed(handle, store, teleop);
  const [layers, setLayers] = useLayers();
  const heatmap = useHeatmap(api, layers.heatmap, mode);
  const zones = useZones(api, transport);
  const review = useReview(api, mode === 'review');
  const { session } = review;
  // Small screens: one group of sidebar panels at a time (see SideTabs and styles.css).
  const [tab, setTab] = useSideTab(mode);

  const ctx: ConsoleContext = useMemo(() => ({ api, store, teleop }), [api, store, teleop]);

  return (
    <Ctx.Provider value={ctx}>
      <div className={`app mode-${mode}`} data-mode={mode}>
        <TopBar estop={<EStop onStop={emergencyStop} />} mode={mode} setMode={setMode} />
        <RecordingBanner />
        <aside className={`sidebar${tab === null ? ' folded' : ''}`} data-tab={tab ?? ''}>
          {mode === 'live' ? (
            <>
              <div {...sideGroup('robot', tab)}>
                <ConnectionPanel />
              </div>
              <div {...sideGroup('drive', tab)}>
                <TeleopPanel />
              </div>
              <div {...sideGroup('goal', tab)}>
                <GoalPanel goalMode={map.goalMode} setGoalMode={map.setGoalMode} />
              </div>
              <div {...sideGroup('robot', tab)}>
                <MapsPanel />
              </div>
            </>
          ) : (
            <div {...sideGroup('runs', tab)}>
              <RunsPanel openRunId={review.openRunId} onOpen={review.open} onDeleted={review.onDeleted} />
              {review.error && <div className="error small pad">{review.error}</div>}
              {session && <IncidentPanel key={session.run.id} session={session} />}
            </div>
          )}
          <div {...sideGroup('more', tab)}>
            <ZonesPanel model={zones} />
            <LayersPanel layers={layers} setLayers={setLayers} />
            {mode === 'live' && <PeoplePanel />}
            {mode === 'live' && <EventLog />}
          </div>
        </aside>
        <SideTabs mode={mode} tab={tab} setTab={setTab} />
        <MapView
          layers={layers}
          goalMode={mode === 'live' && map.goalMode}
          setGoalMode={map.setGoalMode}
          follow={map.follow}
          setFollow={map.setFollow}
          viewKey={mode}
          feed={mode === 'review' ? session : null}
          zones={zones.zones}
          heatmap={heatmap}
          zoneDraw={zones.drawing}
          onZoneComplete={zones.complete}
          onZoneCancel={() => zones.setDrawing(null)}
        />
        {mode === 'review' && (session ? (
          <ReviewDock key={session.run.id} session={session} />
        ) : (
          <section className="review-dock empty muted" data-testid="review-dock-empty">Open a run from the list to replay it here.</section>
        ))}
        <StatusBar />
        <HelpOverlay layers={layers} />
      </div>
    </Ctx.Provider>
  );
}
