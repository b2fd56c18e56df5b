/**
 * ETH/UCY trajectory files and the standard evaluation protocol (Social-GAN split), as
 * described in ../shared/data/README.md: lines `frame ped_id x y` (metres), consecutive
 * annotated frames 0.4 s apart; windows of `observe + predict` consecutive annotated
 * frames at every start frame; a pedestrian counts only if present in every frame of
 * the window; a window is kept only if at least 2 pedestrians count.
 */

export interface EthUcyRow {
  frame: number;
  id: number;
  x: number;
  y: number;
}

/** Parses a tab- or space-separated ETH/UCY file. Throws on a malformed line (1-based line number). */
export function parseEthUcy(text: string, source = 'input'): EthUcyRow[] {
  const rows: EthUcyRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const values = parts.map(Number);
    if (parts.length !== 4 || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`${source}:${i + 1}: expected 'frame ped_id x y', got '${line}'`);
    }
    rows.push({ frame: values[0], id: values[1], x: values[2], y: values[3] });
  }
  return rows;
}

/** One evaluation window: every counted pedestrian's positions over all its frames. */
export interface EvalWindow {
  /** First annotated frame number of the window. */
  startFrame: number;
  /** Counted pedestrians: `xs`/`ys` hold `observe + predict` positions, metres. */
  agents: { id: number; xs: Float64Array; ys: Float64Array }[];
}

export interface WindowProtocol {
  /** Observed steps (8 in the standard protocol). */
  observe: number;
  /** Predicted steps (12). */
  predict: number;
  /** Minimum counted pedestrians for a window to be kept (2). */
  minAgents: number;
}

export const STANDARD_PROTOCOL: WindowProtocol = { observe: 8, predict: 12, minAgents: 2 };

/** Time between consecutive annotated frames in the standard protocol, seconds. */
export const ETH_UCY_STEP_SECONDS = 0.4;

/** Cuts the windows of one file (all start frames, in order). */
export function buildWindows(rows: readonly EthUcyRow[], protocol: WindowProtocol = STANDARD_PROTOCOL): EvalWindow[] {
  const length = protocol.observe + protocol.predict;
  const frames = [...new Set(rows.map((r) => r.frame))].sort((a, b) => a - b);
  const frameIndex = new Map(frames.map((f, i) => [f, i]));
  // Per frame index: pedestrian id → position.
  const byFrame: Map<number, { x: number; y: number }>[] = frames.map(() => new Map());
  for (const r of rows) byFrame[frameIndex.get(r.frame)!].set(r.id, { x: r.x, y: r.y });
  const windows: EvalWindow[] = [];
  for (let start = 0; start + length <= frames.length; start++) {
    const agents: EvalWindow['agents'] = [];
    // Candidates: everyone in the first frame, sorted by id for a stable order.
    const ids = [...byFrame[start].keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const xs = new Float64Array(length);
      const ys = new Float64Array(length);
      let present = true;
      for (let k = 0; k < length; k++) {
        const p = byFrame[start + k].get(id);
        if (!p) {
          present = false;
          break;
        }
        xs[k] = p.x;
        ys[k] = p.y;
      }
      if (present) agents.push({ id, xs, ys });
    }
    if (agents.length >= protocol.minAgents) windows.push({ startFrame: frames[start], agents });
  }
  return windows;
}
