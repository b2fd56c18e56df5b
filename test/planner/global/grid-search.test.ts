import { describe, expect, it } from 'vitest';
import { GridSearch } from '../../../src/planner/global/grid-search';
import { gridFromRows, randomGrid, validPathLength } from './helpers';

const SQ2 = Math.SQRT2;

describe.each(['astar', 'jps'] as const)('GridSearch.%s', (algo) => {
  it('finds known optimal costs on small hand-made grids', () => {
    const open = new GridSearch(gridFromRows(['.....', '.....', '.....']));
    const r = open[algo](0, 0, 4, 2);
    expect(r.ok && r.cost).toBeCloseTo(2 + 2 * SQ2, 9);
    // A wall with a gap at the bottom: around it.
    const wall = gridFromRows(['..#..', '..#..', '.....']);
    const w = new GridSearch(wall)[algo](0, 0, 4, 0);
    expect(w.ok).toBe(true);
    if (w.ok) {
      // (0,0)↗(1,1)↓(1,2)→(2,2)→(3,2)↗(4,1)↑(4,0): the diagonals next to the wall would cut its corners.
      expect(w.cost).toBeCloseTo(validPathLength(wall, w.cells), 9);
      expect(w.cost).toBeCloseTo(4 + 2 * SQ2, 9);
    }
  });

  it('never cuts a corner between two diagonal obstacles', () => {
    // Moving from (0,0) to (1,1) diagonally would squeeze between the two '#'.
    const g = gridFromRows(['.#.', '#..', '...']);
    const r = new GridSearch(g)[algo](0, 0, 1, 1);
    expect(r).toMatchObject({ ok: false, reason: 'no-path' });
    // One blocked orthogonal neighbour is enough to forbid the diagonal: cost 2, not √2.
    const one = gridFromRows(['.#', '..']);
    const s = new GridSearch(one)[algo](0, 0, 1, 1);
    expect(s.ok && s.cost).toBeCloseTo(2, 9);
    expect(s.ok && validPathLength(one, s.cells)).toBeCloseTo(2, 9);
  });

  it('returns typed failures for blocked or off-map start and goal, and no-path', () => {
    const g = new GridSearch(gridFromRows(['.#.', '.#.', '.#.']));
    expect(g[algo](1, 1, 0, 0)).toMatchObject({ ok: false, reason: 'start-occupied' });
    expect(g[algo](0, 0, 1, 0)).toMatchObject({ ok: false, reason: 'goal-occupied' });
    expect(g[algo](-1, 0, 0, 0)).toMatchObject({ ok: false, reason: 'start-occupied' });
    expect(g[algo](0, 0, 2, 2)).toMatchObject({ ok: false, reason: 'no-path' });
    const same = g[algo](0, 0, 0, 0);
    expect(same.ok && Array.from(same.cells)).toEqual([0]);
  });

  it('stops on a cancel token or when the caller-supplied clock exceeds the budget', () => {
    // Clutter plus a wall at column 150 open only at the (free) top row: the search must flood the left half.
    const walled = randomGrid(300, 300, 0.2, 1);
    for (let r = 0; r < 299; r++) walled.blocked[r * 300 + 150] = 1;
    walled.blocked.fill(0, 299 * 300);
    for (let r = 0; r < 300; r++) walled.blocked[r * 300] = walled.blocked[r * 300 + 299] = 0; // connected edges
    const big = new GridSearch(walled);
    expect(big[algo](0, 0, 299, 0, { cancel: { cancelled: true } })).toMatchObject({ ok: false, reason: 'cancelled' });
    let t = 0;
    const now = (): number => (t += 0.01); // every read advances 10 ms
    expect(big[algo](0, 0, 299, 0, { now, budgetS: 0.05 })).toMatchObject({ ok: false, reason: 'timeout' });
    // With enough budget the same query succeeds.
    expect(big[algo](0, 0, 299, 0, { now: () => 0, budgetS: 0.05 }).ok).toBe(true);
    let reads = 0;
    const token = {
      get cancelled() {
        return ++reads > 3;
      },
    };
    const maze = new GridSearch(randomGrid(300, 300, 0.3, 7));
    const c = maze[algo](0, 0, 299, 299, { cancel: token });
    expect(c.ok === false && ['cancelled', 'start-occupied', 'goal-occupied', 'no-path']).toContain(c.ok === false && c.reason);
  });

  it('reuses its buffers across many queries with correct results', () => {
    const grid = randomGrid(40, 30, 0.25, 42);
    const search = new GridSearch(grid);
    const reference = new GridSearch(grid);
    let found = 0;
    for (let q = 0; q < 60; q++) {
      const sc = (q * 7) % 40;
      const sr = (q * 11) % 30;
      const gc = (q * 13 + 5) % 40;
      const gr = (q * 17 + 3) % 30;
      const a = search[algo](sc, sr, gc, gr);
      const fresh = new GridSearch(grid).astar(sc, sr, gc, gr);
      expect(a.ok).toBe(fresh.ok);
      if (a.ok && fresh.ok) {
        found++;
        expect(a.cost).toBeCloseTo(fresh.cost, 6);
        expect(validPathLength(grid, a.cells)).toBeCloseTo(a.cost, 6);
        expect(a.cells[0]).toBe(sr * 40 + sc);
        expect(a.cells[a.cells.length - 1]).toBe(gr * 40 + gc);
      } else if (!a.ok && !fresh.ok) expect(a.reason).toBe(fresh.reason);
      void reference;
    }
    expect(found).toBeGreaterThan(20);
  });
});

describe('JPS against A* on random grids', () => {
  it('has exactly the optimal cost for every query', () => {
    for (const [density, seed] of [
      [0.1, 3],
      [0.3, 5],
      [0.4, 9],
    ] as const) {
      const grid = randomGrid(48, 37, density, seed);
      const s = new GridSearch(grid);
      for (let q = 0; q < 80; q++) {
        const [sc, sr, gc, gr] = [(q * 19) % 48, (q * 5) % 37, (q * 29 + 7) % 48, (q * 23 + 11) % 37];
        const a = s.astar(sc, sr, gc, gr);
        const j = s.jps(sc, sr, gc, gr);
        expect(j.ok).toBe(a.ok);
        if (a.ok && j.ok) {
          expect(j.cost).toBeCloseTo(a.cost, 6);
          expect(validPathLength(grid, j.cells)).toBeCloseTo(j.cost, 6);
        }
      }
    }
  });
});

describe('cost-aware A*', () => {
  it('detours around a costly band when the weight makes it worth it', () => {
    // 7 × 5 open grid; the middle row (row 2) of columns 1..5 costs 252.
    const grid = gridFromRows(['.......', '.......', '.......', '.......', '.......']);
    const cost = new Uint8Array(35);
    for (let c = 1; c <= 5; c++) cost[2 * 7 + c] = 252;
    const search = new GridSearch({ ...grid, cost });
    const plain = search.astar(0, 2, 6, 2);
    expect(plain.ok && plain.cost).toBeCloseTo(6, 9);
    search.setCosts(cost, 3);
    const aware = search.astar(0, 2, 6, 2);
    expect(aware.ok).toBe(true);
    if (aware.ok) {
      const rows = Array.from(aware.cells, (i) => Math.floor(i / 7));
      expect(rows.slice(1, -1).every((r) => r !== 2 || false)).toBe(true);
      expect(validPathLength(grid, aware.cells)).toBeCloseTo(4 + 2 * SQ2, 9);
    }
  });
});
