/** The laser scan in the map frame: green points, grey when the scan is stale (> 0.5 s). */
import { SCAN_COLORS, SCAN_STALE_MS } from '../colors';
import type { SceneFrame } from './types';
import { GraphicsLayer } from './graphics-layer';

const { fresh: COLOR, stale: STALE } = SCAN_COLORS;
const STALE_MS = SCAN_STALE_MS;

export class ScanLayer extends GraphicsLayer {
  readonly id = 'scan' as const;

  update({ snapshot: s, px }: SceneFrame): void {
    const g = this.g.clear();
    if (!s || s.scan.length < 2) return;
    const r = Math.max(1.3 * px, 0.012);
    const d = 2 * r;
    const stale = s.scanAgeMs !== null && s.scanAgeMs > STALE_MS;
    for (let i = 0; i + 1 < s.scan.length; i += 2) g.rect(s.scan[i] - r, s.scan[i + 1] - r, d, d);
    g.fill({ color: stale ? STALE : COLOR, alpha: stale ? 0.5 : 0.95 });
  }
}
