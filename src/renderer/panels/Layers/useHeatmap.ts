/** The intervention heatmap over all runs, fetched while its layer is on (again on each live/review switch). */
import { useEffect, useState } from 'react';
import type { ForesightApi, HeatmapView } from '../../../shared/api';

export function useHeatmap(api: ForesightApi, enabled: boolean, refreshKey: unknown): HeatmapView | null {
  const [heatmap, setHeatmap] = useState<HeatmapView | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    api.invoke('getHeatmap', null).then(
      (h) => !cancelled && setHeatmap(h),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, enabled, refreshKey]);
  return enabled ? heatmap : null;
}
