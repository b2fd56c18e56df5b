/**
 * Minimum-cost assignment (Hungarian algorithm, O(n²·m)) for a rectangular cost matrix.
 * Used by the tracker (detections ↔ tracks) and by the scorer (estimates ↔ truth).
 */

/**
 * Assigns rows to columns minimizing the total cost. `cost[r][c]` may be Infinity
 * (forbidden). Returns, for each row, the assigned column or −1; a row is never given a
 * forbidden column.
 */
export function assignMinCost(cost: readonly (readonly number[])[], columns: number): number[] {
  const rows = cost.length;
  if (rows === 0 || columns === 0) return new Array<number>(rows).fill(-1);
  // Square matrix of size n with forbidden and padding entries at a large finite cost, so
  // the algorithm always completes; forbidden picks are dropped afterwards.
  let finiteMax = 0;
  for (const row of cost) for (let c = 0; c < columns; c++) if (Number.isFinite(row[c])) finiteMax = Math.max(finiteMax, Math.abs(row[c]));
  const big = (finiteMax + 1) * (rows + columns + 1);
  const n = Math.max(rows, columns);
  const a = (r: number, c: number) => (r < rows && c < columns && Number.isFinite(cost[r][c]) ? cost[r][c] : big);
  // e-maxx formulation, 1-based.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[col] = row matched to col
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const r = p[j] - 1;
    const c = j - 1;
    if (r < rows && c < columns && Number.isFinite(cost[r][c])) result[r] = c;
  }
  return result;
}
