/** Panel helpers: the map panel's stats element (text and data attributes the end-to-end tests read), view mode, layers. */
import { describe, expect, it } from 'vitest';
import { statsText, writeStats } from '../../../src/renderer/panels/Map/scene-stats';
import type { SceneStats } from '../../../src/renderer/scene/stats';
import { viewModeFromUrl } from '../../../src/renderer/panels/TopBar/view-mode';
import { loadLayers } from '../../../src/renderer/panels/Layers/useLayers';
import { DEFAULT_LAYERS } from '../../../src/renderer/scene/layers/types';

const stats: SceneStats = {
  map: 'apartment 240x180', pose: { x: 1.234, y: -2, theta: 0.5 }, scan: 360, candidates: 40, chosen: 31, path: 3, people: 1, futures: 3,
  goal: { x: 7.67, y: 5.01, theta: 0 }, draws: 12, drawHz: 11, drawMs: 1.06, view: { scale: 31.25, offsetX: 10.004, offsetY: 600 },
  follow: false, frameT: 12.5, zones: 2, heatmapCells: 0,
  goalsDrawn: 1, robotScreen: { x: 320.04, y: 99.96 }, canvas: { width: 800, height: 600 }, viewKey: 'review',
};

describe('scene stats element', () => {
  it('reads as one line matching `map=(\\w+) (\\d+)x(\\d+)`', () => {
    expect(statsText(stats)).toBe('map=apartment 240x180 pose=1.23 -2.00 0.50 scan=360 path=3 candidates=40 chosen=31 people=1 futures=3 goal=7.67 5.01 0.00 draw=11Hz 1.1ms');
    expect(statsText({ ...stats, map: null, pose: null, goal: null })).toMatch(/^map=none pose=none .* goal=none /);
  });

  it('carries the data attributes, tool state included', () => {
    const el = { textContent: '', dataset: {} as Record<string, string> };
    writeStats(el as unknown as HTMLElement, stats, { goalMode: true, draftVertices: 3 });
    expect(el.dataset).toMatchObject({
      map: 'apartment 240x180', poseX: '1.234', poseY: '-2.000', scan: '360', path: '3', candidates: '40', chosen: '31', people: '1', futures: '3',
      goal: '7.670,5.010,0.000', view: '{"scale":31.25,"offsetX":10,"offsetY":600}', follow: 'false', goalMode: 'true', frameT: '12.500', zones: '2',
      heatmapCells: '0', draftVertices: '3', goalCount: '1', robotSx: '320.0', robotSy: '100.0', canvasW: '800', canvasH: '600', viewKey: 'review',
    });
  });
});

describe('panel state helpers', () => {
  it('opens the review from ?view=review', () => {
    expect(viewModeFromUrl('?token=x&view=review')).toBe('review');
    expect(viewModeFromUrl('?token=x')).toBe('live');
  });

  it('falls back to the default layers without storage', () => {
    expect(loadLayers()).toEqual(DEFAULT_LAYERS);
  });
});
