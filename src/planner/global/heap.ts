/**
 * Binary min-heap of cell indices keyed by float64, on typed arrays, with decrease-key.
 * Sized once for a map (capacity = number of cells) and reused across queries: `clear()`
 * only resets the size, so a query allocates nothing.
 */
export class IndexedMinHeap {
  size = 0;
  private readonly items: Int32Array;
  private readonly keys: Float64Array;
  /** Heap slot of each item while it is in the heap (stale otherwise). */
  private readonly slot: Int32Array;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  /** Adds `item` (must not be in the heap). */
  push(item: number, key: number): void {
    this.siftUp(this.size++, item, key);
  }

  /** Lowers the key of `item`, which must be in the heap. */
  decrease(item: number, key: number): void {
    this.siftUp(this.slot[item]!, item, key);
  }

  /** Removes and returns the item with the smallest key; the heap must not be empty. */
  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = --this.size;
    if (last > 0) this.siftDown(items[last]!, this.keys[last]!);
    return top;
  }

  private siftUp(i: number, item: number, key: number): void {
    const items = this.items;
    const keys = this.keys;
    const slot = this.slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk <= key) break;
      const pi = items[parent]!;
      items[i] = pi;
      keys[i] = pk;
      slot[pi] = i;
      i = parent;
    }
    items[i] = item;
    keys[i] = key;
    slot[item] = i;
  }

  private siftDown(item: number, key: number): void {
    const items = this.items;
    const keys = this.keys;
    const slot = this.slot;
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child]!;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right]!;
        if (rk < ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck >= key) break;
      const ci = items[child]!;
      items[i] = ci;
      keys[i] = ck;
      slot[ci] = i;
      i = child;
    }
    items[i] = item;
    keys[i] = key;
    slot[item] = i;
  }
}
