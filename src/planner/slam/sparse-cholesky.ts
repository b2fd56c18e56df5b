/**
 * Sparse Cholesky factorisation of a symmetric positive definite matrix made of 3×3 blocks
 * (one block row/column per pose), for the pose graph's normal equations H·δ = −g.
 *
 * - Ordering: minimum degree on the block graph (explicit elimination graph). Pose graphs
 *   built from submaps are nearly bipartite (nodes ↔ submap anchors), so the many nodes go
 *   first at almost no fill and the few anchors last.
 * - Symbolic: the elimination cliques of that ordering are exactly the column structures of
 *   L, so the ordering pass yields them for free.
 * - Numeric: left-looking block Cholesky with per-row linked lists of the columns still to
 *   be applied (the classic Ng–Peyton scheme), dense 3×3 kernels, no allocation.
 *
 * `analyze` once per graph structure; `factor` + `solve` per Levenberg–Marquardt iteration.
 */

export class BlockSparseCholesky {
  /** Number of block columns. */
  readonly n: number;
  /** perm[newIndex] = oldIndex; iperm[oldIndex] = newIndex. */
  readonly perm: Int32Array;
  readonly iperm: Int32Array;
  /** Column j's sub-diagonal block rows (new indices, ascending) are rowIdx[colPtr[j] .. colPtr[j+1]). */
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  /** Sub-diagonal blocks of L (9 per entry, row-major), filled with H's lower part before `factor`. */
  readonly lower: Float64Array;
  /** Diagonal blocks (9 per column): H's diagonal before `factor`, L's lower-triangular diagonal after. */
  readonly diag: Float64Array;
  private readonly pos: Int32Array;
  private readonly link: Int32Array;
  private readonly first: Int32Array;
  private readonly acc = new Float64Array(9);
  private readonly tmp = new Float64Array(9);

  /**
   * `pairs` holds the off-diagonal structure as (a, b) block index pairs in original
   * numbering (duplicates and either orientation allowed).
   */
  constructor(n: number, pairs: ArrayLike<number>) {
    this.n = n;
    const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const a = pairs[k]!;
      const b = pairs[k + 1]!;
      if (a === b) continue;
      adj[a]!.add(b);
      adj[b]!.add(a);
    }
    // Minimum degree with a lazy binary heap keyed by degree·n + index (ties: lowest index).
    const heap: number[] = [];
    const push = (key: number): void => {
      heap.push(key);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]! <= key) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= heap.length) break;
          const r = l + 1;
          const c = r < heap.length && heap[r]! < heap[l]! ? r : l;
          if (heap[c]! >= last) break;
          heap[i] = heap[c]!;
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    for (let v = 0; v < n; v++) push(adj[v]!.size * n + v);
    const eliminated = new Uint8Array(n);
    const perm = new Int32Array(n);
    const structs: number[][] = new Array<number[]>(n);
    let next = 0;
    while (next < n) {
      const key = pop();
      const v = key % n;
      const deg = (key - v) / n;
      if (eliminated[v] || adj[v]!.size !== deg) continue; // stale entry
      eliminated[v] = 1;
      perm[next++] = v;
      const nbrs = [...adj[v]!];
      structs[v] = nbrs;
      for (const u of nbrs) {
        const au = adj[u]!;
        au.delete(v);
        for (const w of nbrs) if (w !== u) au.add(w);
        push(au.size * n + u);
      }
      adj[v]!.clear();
    }
    const iperm = new Int32Array(n);
    for (let i = 0; i < n; i++) iperm[perm[i]!] = i;
    const colPtr = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) colPtr[j + 1] = colPtr[j]! + structs[perm[j]!]!.length;
    const rowIdx = new Int32Array(colPtr[n]!);
    for (let j = 0; j < n; j++) {
      const rows = structs[perm[j]!]!.map((o) => iperm[o]!).sort((a, b) => a - b);
      rowIdx.set(rows, colPtr[j]!);
    }
    this.perm = perm;
    this.iperm = iperm;
    this.colPtr = colPtr;
    this.rowIdx = rowIdx;
    this.lower = new Float64Array(9 * rowIdx.length);
    this.diag = new Float64Array(9 * n);
    this.pos = new Int32Array(n).fill(-1);
    this.link = new Int32Array(n);
    this.first = new Int32Array(n);
  }

  /** Number of sub-diagonal blocks in L (fill included). */
  get nonZeroBlocks(): number {
    return this.rowIdx.length;
  }

  /**
   * Where H's block (a, b) (original indices, a ≠ b) lives in `lower`: the offset of its
   * 9 values, and whether the stored block is the transpose (stored = H[b][a] = H[a][b]ᵀ).
   * Returns the offset; `transposed` is reported by the sign: a negative result −(off+1)
   * means transposed. Call once per structure, not per iteration.
   */
  blockOffset(a: number, b: number): number {
    let row = this.iperm[a]!;
    let col = this.iperm[b]!;
    let transposed = false;
    if (row < col) {
      const t = row;
      row = col;
      col = t;
      transposed = true;
    }
    // Stored block is L(row, col) ≈ H[row][col]; for (a, b) with a = row it is H[a][b].
    let lo = this.colPtr[col]!;
    let hi = this.colPtr[col + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.rowIdx[mid]!;
      if (r === row) return transposed ? -(9 * mid + 1) : 9 * mid;
      if (r < row) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`block (${a}, ${b}) is not in the analysed structure`);
  }

  /** Offset of original block row/column `a`'s diagonal block in `diag`. */
  diagOffset(a: number): number {
    return 9 * this.iperm[a]!;
  }

  /** Zeroes H before assembling. */
  clear(): void {
    this.lower.fill(0);
    this.diag.fill(0);
  }

  /**
   * Factors in place (H = L·Lᵀ). False when a pivot is not positive definite (the caller
   * adds damping and retries).
   */
  factor(): boolean {
    const { n, colPtr, rowIdx, lower, diag, pos, link, first, acc, tmp } = this;
    link.fill(-1);
    for (let j = 0; j < n; j++) {
      const c0 = colPtr[j]!;
      const c1 = colPtr[j + 1]!;
      for (let p = c0; p < c1; p++) pos[rowIdx[p]!] = p;
      for (let q = 0; q < 9; q++) acc[q] = diag[9 * j + q]!;
      // Apply every earlier column k with L(j, k) ≠ 0.
      let k = link[j]!;
      while (k >= 0) {
        const nextK = link[k]!;
        const pj = first[k]!; // position of row j in column k
        const ljk = 9 * pj;
        // acc −= L_jk L_jkᵀ
        subAAt(acc, lower, ljk);
        const k1 = colPtr[k + 1]!;
        for (let p = pj + 1; p < k1; p++) {
          const r = rowIdx[p]!;
          // L(r, j) −= L_rk L_jkᵀ
          subABt(lower, 9 * pos[r]!, lower, 9 * p, lower, ljk);
        }
        // Move column k on to its next row.
        if (pj + 1 < k1) {
          first[k] = pj + 1;
          const r = rowIdx[pj + 1]!;
          link[k] = link[r]!;
          link[r] = k;
        }
        k = nextK;
      }
      // Diagonal block: Cholesky of acc (3×3, lower).
      if (!chol3(acc, tmp)) return false;
      for (let q = 0; q < 9; q++) diag[9 * j + q] = tmp[q]!;
      // Sub-diagonal: L(r, j) = B · L_jj⁻ᵀ.
      for (let p = c0; p < c1; p++) solveRowsLt(lower, 9 * p, tmp);
      for (let p = c0; p < c1; p++) pos[rowIdx[p]!] = -1;
      if (c0 < c1) {
        first[j] = c0;
        const r = rowIdx[c0]!;
        link[j] = link[r]!;
        link[r] = j;
      }
    }
    return true;
  }

  /**
   * Solves L·Lᵀ·x = b after `factor`. `b` and `x` are in original numbering, 3 values per
   * block (x may alias b).
   */
  solve(b: Float64Array, x: Float64Array): void {
    const { n, perm, colPtr, rowIdx, lower, diag } = this;
    const y = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) {
      const o = 3 * perm[j]!;
      y[3 * j] = b[o]!;
      y[3 * j + 1] = b[o + 1]!;
      y[3 * j + 2] = b[o + 2]!;
    }
    // Forward: L y' = y, column by column.
    for (let j = 0; j < n; j++) {
      const d = 9 * j;
      const y0 = y[3 * j]! / diag[d]!;
      const y1 = (y[3 * j + 1]! - diag[d + 3]! * y0) / diag[d + 4]!;
      const y2 = (y[3 * j + 2]! - diag[d + 6]! * y0 - diag[d + 7]! * y1) / diag[d + 8]!;
      y[3 * j] = y0;
      y[3 * j + 1] = y1;
      y[3 * j + 2] = y2;
      for (let p = colPtr[j]!; p < colPtr[j + 1]!; p++) {
        const r = 3 * rowIdx[p]!;
        const l = 9 * p;
        y[r] -= lower[l]! * y0 + lower[l + 1]! * y1 + lower[l + 2]! * y2;
        y[r + 1] -= lower[l + 3]! * y0 + lower[l + 4]! * y1 + lower[l + 5]! * y2;
        y[r + 2] -= lower[l + 6]! * y0 + lower[l + 7]! * y1 + lower[l + 8]! * y2;
      }
    }
    // Backward: Lᵀ x = y', column by column from the end.
    for (let j = n - 1; j >= 0; j--) {
      let s0 = y[3 * j]!;
      let s1 = y[3 * j + 1]!;
      let s2 = y[3 * j + 2]!;
      for (let p = colPtr[j]!; p < colPtr[j + 1]!; p++) {
        const r = 3 * rowIdx[p]!;
        const l = 9 * p;
        const x0 = y[r]!;
        const x1 = y[r + 1]!;
        const x2 = y[r + 2]!;
        s0 -= lower[l]! * x0 + lower[l + 3]! * x1 + lower[l + 6]! * x2;
        s1 -= lower[l + 1]! * x0 + lower[l + 4]! * x1 + lower[l + 7]! * x2;
        s2 -= lower[l + 2]! * x0 + lower[l + 5]! * x1 + lower[l + 8]! * x2;
      }
      const d = 9 * j;
      const x2 = s2 / diag[d + 8]!;
      const x1 = (s1 - diag[d + 7]! * x2) / diag[d + 4]!;
      const x0 = (s0 - diag[d + 3]! * x1 - diag[d + 6]! * x2) / diag[d]!;
      y[3 * j] = x0;
      y[3 * j + 1] = x1;
      y[3 * j + 2] = x2;
    }
    for (let j = 0; j < n; j++) {
      const o = 3 * perm[j]!;
      x[o] = y[3 * j]!;
      x[o + 1] = y[3 * j + 1]!;
      x[o + 2] = y[3 * j + 2]!;
    }
  }
}

/** acc −= A·Aᵀ for the 3×3 block A at `a` in `m`. */
function subAAt(acc: Float64Array, m: Float64Array, a: number): void {
  for (let i = 0; i < 3; i++) {
    const ai0 = m[a + 3 * i]!;
    const ai1 = m[a + 3 * i + 1]!;
    const ai2 = m[a + 3 * i + 2]!;
    for (let j = 0; j < 3; j++) acc[3 * i + j] -= ai0 * m[a + 3 * j]! + ai1 * m[a + 3 * j + 1]! + ai2 * m[a + 3 * j + 2]!;
  }
}

/** C −= A·Bᵀ for 3×3 blocks at offsets c, a, b. */
function subABt(cm: Float64Array, c: number, am: Float64Array, a: number, bm: Float64Array, b: number): void {
  for (let i = 0; i < 3; i++) {
    const ai0 = am[a + 3 * i]!;
    const ai1 = am[a + 3 * i + 1]!;
    const ai2 = am[a + 3 * i + 2]!;
    cm[c + 3 * i] -= ai0 * bm[b]! + ai1 * bm[b + 1]! + ai2 * bm[b + 2]!;
    cm[c + 3 * i + 1] -= ai0 * bm[b + 3]! + ai1 * bm[b + 4]! + ai2 * bm[b + 5]!;
    cm[c + 3 * i + 2] -= ai0 * bm[b + 6]! + ai1 * bm[b + 7]! + ai2 * bm[b + 8]!;
  }
}

/** Lower Cholesky factor of the symmetric 3×3 `a` into `l`; false when not positive definite. */
function chol3(a: Float64Array, l: Float64Array): boolean {
  const l00sq = a[0]!;
  if (!(l00sq > 0)) return false;
  const l00 = Math.sqrt(l00sq);
  const l10 = a[3]! / l00;
  const l20 = a[6]! / l00;
  const l11sq = a[4]! - l10 * l10;
  if (!(l11sq > 0)) return false;
  const l11 = Math.sqrt(l11sq);
  const l21 = (a[7]! - l20 * l10) / l11;
  const l22sq = a[8]! - l20 * l20 - l21 * l21;
  if (!(l22sq > 0)) return false;
  l[0] = l00;
  l[1] = 0;
  l[2] = 0;
  l[3] = l10;
  l[4] = l11;
  l[5] = 0;
  l[6] = l20;
  l[7] = l21;
  l[8] = Math.sqrt(l22sq);
  return true;
}

/** B ← B·L⁻ᵀ for the 3×3 block B at `b` in `m` and lower-triangular L: each row solves L·xᵀ = rowᵀ. */
function solveRowsLt(m: Float64Array, b: number, l: Float64Array): void {
  for (let i = 0; i < 3; i++) {
    const o = b + 3 * i;
    const x0 = m[o]! / l[0]!;
    const x1 = (m[o + 1]! - l[3]! * x0) / l[4]!;
    const x2 = (m[o + 2]! - l[6]! * x0 - l[7]! * x1) / l[8]!;
    m[o] = x0;
    m[o + 1] = x1;
    m[o + 2] = x2;
  }
}
