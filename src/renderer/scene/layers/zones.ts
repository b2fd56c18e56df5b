/** Operator zones: keep-out (red) and slow (amber) polygons, each labelled at its centroid. */
import { Container, Graphics } from 'pixi.js';
import { ZONE_COLORS } from '../colors';
import { LabelPool } from './labels';
import type { MapLayer, SceneFrame } from './types';

export class ZonesLayer implements MapLayer {
  readonly id = 'zones' as const;
  readonly container = new Container();
  private readonly g = new Graphics();
  private readonly labels = new LabelPool(0.5);
  readonly overlay = this.labels.container;

  constructor() {
    this.container.addChild(this.g);
  }

  update({ zones, px, toScreen }: SceneFrame): void {
    const g = this.g.clear();
    this.labels.begin();
    for (const z of zones) {
      if (z.polygon.length < 6) continue;
      const col = ZONE_COLORS[z.kind];
      g.poly(z.polygon, true).fill({ color: col, alpha: z.kind === 'keep-out' ? 0.22 : 0.14 });
      g.poly(z.polygon, true).stroke({ width: 2 * px, color: col, alpha: 0.9 });
      let cx = 0;
      let cy = 0;
      const n = z.polygon.length / 2;
      for (let i = 0; i < n; i++) {
        cx += z.polygon[2 * i] / n;
        cy += z.polygon[2 * i + 1] / n;
      }
      const text = z.kind === 'slow' ? `${z.name} · ≤ ${(z.slowSpeed ?? 0).toFixed(2)} m/s` : `${z.name} · keep out`;
      const sp = toScreen({ x: cx, y: cy });
      this.labels.next(text).position.set(Math.round(sp.x), Math.round(sp.y));
    }
    this.labels.end();
  }

  destroy(): void {
    this.container.destroy({ children: true });
    this.overlay.destroy({ children: true });
  }
}
