/**
 * The robot's footprint at its pose: body, heading triangle, base_link origin and wheels;
 * red under an emergency stop, faded while the link is down. Redrawn only when its shape
 * or the zoom changes; moving it is a transform. Around it, the localization's position
 * uncertainty as its 2-σ ellipse (about 86 % of the probability in 2-D), coloured by the
 * estimator's verdict.
 */
import { Container, Graphics } from 'pixi.js';
import type { LocalizationView, RobotInfo } from '../../../shared/api';
import { ROBOT_COLORS, ROBOT_LOST_ALPHA, UNCERTAINTY_COLORS } from '../colors';
import { disc } from '../draw';
import type { MapLayer, SceneFrame } from './types';

/** Footprint used until the robot reports its own (m). */
export const DEFAULT_FOOTPRINT = { length: 0.45, width: 0.38, centerOffsetX: 0 };

const { fill: FILL, line: LINE, estop: ESTOP } = ROBOT_COLORS;
const UNCERTAINTY_COLOR: Record<LocalizationView['quality'], number> = UNCERTAINTY_COLORS;

export class RobotLayer implements MapLayer {
  readonly id = 'robot' as const;
  readonly container = new Container();
  private readonly body = new Container();
  private readonly g = new Graphics();
  private readonly uncertainty = new Graphics();
  private key = '';
  private ellipseKey = '';

  constructor() {
    this.body.addChild(this.g);
    this.container.addChild(this.uncertainty);
    this.container.addChild(this.body);
  }

  update({ snapshot: s, px }: SceneFrame): void {
    const pose = s?.pose;
    this.body.visible = !!pose;
    if (!s || !pose) return;
    this.body.position.set(pose.x, pose.y);
    this.body.rotation = pose.theta;
    this.drawUncertainty(s.localization, pose, px);
    const fp = s.robot?.footprint ?? DEFAULT_FOOTPRINT;
    const lost = s.link.state !== 'connected';
    const key = `${fp.length}|${fp.width}|${fp.centerOffsetX}|${px.toPrecision(4)}|${s.emergencyStop}|${lost}`;
    if (key === this.key) return;
    this.key = key;
    drawRobotShape(this.g.clear(), s.robot, fp, px, s.emergencyStop, lost);
  }

  private drawUncertainty(loc: LocalizationView | undefined, pose: { x: number; y: number }, px: number): void {
    const e = loc?.ellipse ?? null;
    this.uncertainty.visible = e !== null;
    if (!e || !loc) return;
    this.uncertainty.position.set(pose.x, pose.y);
    this.uncertainty.rotation = e.angle;
    // At least a few pixels: a filter sure to the millimetre still shows that it is there.
    const a = Math.max(2 * e.major, 4 * px);
    const b = Math.max(2 * e.minor, 4 * px);
    const key = `${a.toPrecision(2)}|${b.toPrecision(2)}|${loc.quality}|${px.toPrecision(3)}`;
    if (key === this.ellipseKey) return;
    this.ellipseKey = key;
    const color = UNCERTAINTY_COLOR[loc.quality];
    this.uncertainty.clear().ellipse(0, 0, a, b).fill({ color, alpha: 0.12 }).stroke({ width: 1.5 * px, color, alpha: 0.9 });
  }

  destroy(): void {
    this.container.destroy({ children: true });
  }
}

function drawRobotShape(
  g: Graphics,
  robot: RobotInfo | null,
  fp: { length: number; width: number; centerOffsetX: number },
  px: number,
  estop: boolean,
  lost: boolean,
): void {
  const fill = estop ? ESTOP : FILL;
  const alpha = lost ? ROBOT_LOST_ALPHA : 1;
  const x0 = fp.centerOffsetX - fp.length / 2;
  g.rect(x0, -fp.width / 2, fp.length, fp.width)
    .fill({ color: fill, alpha: 0.35 * alpha })
    .stroke({ width: 2 * px, color: estop ? ESTOP : LINE, alpha });
  // Heading: a triangle at the front.
  const front = fp.centerOffsetX + fp.length / 2;
  const hw = fp.width * 0.28;
  g.moveTo(front - Math.min(fp.length * 0.45, hw * 1.6), hw).lineTo(front, 0).lineTo(front - Math.min(fp.length * 0.45, hw * 1.6), -hw).closePath();
  g.fill({ color: LINE, alpha: 0.9 * alpha });
  // base_link origin.
  disc(g, 0, 0, 2.5 * px, px).fill({ color: 0xffffff, alpha });
  // Wheels, when the wheel base is known.
  if (robot && robot.wheelBase > 0) {
    const wl = Math.min(fp.length * 0.35, 0.12);
    for (const side of [1, -1]) g.rect(-wl / 2, side * robot.wheelBase / 2 - 0.015, wl, 0.03);
    g.fill({ color: 0x000000, alpha: 0.6 * alpha });
  }
}
