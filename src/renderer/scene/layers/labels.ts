/** Screen-space text labels for the layers' overlays. */
import { Container, Text } from 'pixi.js';

function labelResolution(): number {
  return Math.min((typeof window !== 'undefined' && window.devicePixelRatio) || 1, 2);
}

/**
 * Screen-space text labels, reused from frame to frame. Text re-rasterizes when its string
 * or style changes, so `set` only touches them on change.
 */
export class LabelPool {
  readonly container = new Container();
  private readonly labels: Text[] = [];
  private readonly fills = new WeakMap<Text, number>();
  private used = 0;

  constructor(private readonly anchor = 0) {}

  /** Starts a frame: every label is free again. */
  begin(): void {
    this.used = 0;
  }

  /** The next label, shown, with `text` (and `fill`, if given). */
  next(text: string, fill?: number): Text {
    let t = this.labels[this.used];
    if (!t) {
      t = new Text({
        text: '',
        style: { fontFamily: 'system-ui, sans-serif', fontSize: 11, fill: 0xffffff, stroke: { color: 0x000000, width: 3 } },
        resolution: labelResolution(),
      });
      if (this.anchor) t.anchor.set(this.anchor);
      this.labels.push(t);
      this.container.addChild(t);
    }
    this.used++;
    if (t.text !== text) t.text = text;
    if (fill !== undefined && this.fills.get(t) !== fill) {
      t.style.fill = fill;
      this.fills.set(t, fill);
    }
    t.visible = true;
    return t;
  }

  /** Ends a frame: hides the labels not used in it. */
  end(): void {
    for (let i = this.used; i < this.labels.length; i++) this.labels[i].visible = false;
  }

  /** Labels shown in the last frame. */
  get shown(): number {
    return this.used;
  }
}
