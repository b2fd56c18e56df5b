/** Tracked people: body, velocity arrow, the fan of predicted futures, and a label (id, speed, risk). */
import { Container, Graphics } from 'pixi.js';
import { futureAlpha, riskColor } from '../colors';
import { arrow, disc } from '../draw';
import { LabelPool } from './labels';
import type { MapLayer, SceneFrame } from './types';

export class PeopleLayer implements MapLayer {
  readonly id = 'people' as const;
  readonly container = new Container();
  private readonly g = new Graphics();
  private readonly labels = new LabelPool();
  readonly overlay = this.labels.container;

  constructor() {
    this.container.addChild(this.g);
  }

  update({ snapshot: s, px, toScreen }: SceneFrame): void {
    const g = this.g.clear();
    this.labels.begin();
    for (const p of s?.people ?? []) {
      const col = riskColor(p.risk);
      // Prediction fan: each future as a line from the person, opacity from probability,
      // with dots whose size grows along the horizon (uncertainty grows with time).
      for (const f of p.futures) {
        if (f.points.length < 2) continue;
        const a = futureAlpha(f.probability);
        g.moveTo(p.x, p.y);
        for (let i = 0; i + 1 < f.points.length; i += 2) g.lineTo(f.points[i], f.points[i + 1]);
        g.stroke({ width: 2 * px, color: col, alpha: a, join: 'round', cap: 'round' });
        const steps = f.points.length / 2;
        for (let i = 0, k = 1; i + 1 < f.points.length; i += 2, k++) {
          if (k % 3 !== 0 && k !== steps) continue;
          disc(g, f.points[i], f.points[i + 1], Math.max(2 * px, 0.04 + 0.03 * k * 0.4), px).fill({ color: col, alpha: a * 0.35 });
        }
      }
      // Body.
      disc(g, p.x, p.y, 0.25, px).fill({ color: col, alpha: 0.25 }).stroke({ width: 2 * px, color: col, alpha: 0.95 });
      // Velocity arrow: 1 s ahead.
      const speed = Math.hypot(p.vx, p.vy);
      if (speed > 0.05) {
        arrow(g, p.x, p.y, p.x + p.vx, p.y + p.vy, px);
        g.stroke({ width: 2 * px, color: col, alpha: 1, cap: 'round', join: 'round' });
      }
      const text = `#${p.id}  ${speed.toFixed(1)} m/s${p.risk >= 0.05 ? `  risk ${Math.round(p.risk * 10) * 10}%` : ''}`;
      const sp = toScreen({ x: p.x, y: p.y });
      this.labels.next(text, riskColor(Math.round(p.risk * 10) / 10)).position.set(Math.round(sp.x + 0.25 / px + 4), Math.round(sp.y - 0.25 / px - 14));
    }
    this.labels.end();
  }

  destroy(): void {
    this.container.destroy({ children: true });
    this.overlay.destroy({ children: true });
  }
}
